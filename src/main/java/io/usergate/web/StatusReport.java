package io.usergate.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.usergate.fetch.FetchAddresses;
import io.usergate.metrics.Metrics;
import io.usergate.sync.SyncAddresses;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code GET /status}: one compact JSON of what the dashboard shows, instead of a scrape of /metrics
 * (half a megabyte) every second. Totals are cumulative, as in the metrics: the page takes rates from
 * two polls. A part that cannot be had (a verticle not answering) is null with its reason beside it.
 */
final class StatusReport {

  private final Relay relay;

  StatusReport(Relay relay) {
    this.relay = relay;
  }

  Future<JsonObject> build() {
    Future<JsonObject> fetch = part(FetchAddresses.STATUS);
    Future<JsonObject> sync = part(SyncAddresses.STATUS);
    return Future.join(fetch, sync).transform(settled -> {
      JsonObject status = new JsonObject().put("at", Instant.now().toString());
      put(status, "fetch", fetch);
      put(status, "sync", sync);
      Metrics.registry().ifPresent(registry -> status.put("totals", totals(registry)));
      return Future.succeededFuture(status);
    });
  }

  /** The reply of {@code address}, a JSON object; anything else makes the part null with its reason. */
  private Future<JsonObject> part(String address) {
    return relay.request(address, new JsonObject()).map(reply -> Relay.object(address, reply.body()));
  }

  private static void put(JsonObject status, String name, Future<JsonObject> part) {
    status.put(name, part.succeeded() ? part.result() : null);
    if (part.failed()) {
      status.put(name + "Error", part.cause().getMessage());
    }
  }

  /** The figures of the metrics the dashboard needs, read from the registry in this process. */
  private static JsonObject totals(MeterRegistry registry) {
    // The in-process demo directory is an HTTP server too; its requests have no route: not usergate's.
    Predicate<Meter> routes = meter -> !"".equals(meter.getId().getTag("route"));
    Predicate<Meter> errors = meter -> routes.test(meter) && String.valueOf(meter.getId().getTag("code")).startsWith("5");
    List<Timer> upstream = List.copyOf(registry.find("vertx.http.client.response.time").timers());
    JsonObject cache = new JsonObject();
    registry.find("usergate.cache.requests").counters()
      .forEach(counter -> cache.put(counter.getId().getTag("result"), (long) counter.count()));
    JsonObject outcomes = new JsonObject();
    registry.find("usergate.sync.job.outcomes").counters()
      .forEach(counter -> outcomes.put(counter.getId().getTag("outcome"), (long) counter.count()));
    return new JsonObject()
      .put("requests", count(registry, "vertx.http.server.requests", routes))
      .put("errors", count(registry, "vertx.http.server.requests", errors))
      .put("upstreamLatencySeconds", upstream.stream().mapToDouble(timer -> timer.totalTime(TimeUnit.SECONDS)).sum())
      .put("upstreamResponses", upstream.stream().mapToLong(Timer::count).sum())
      .put("upstreamCalls", count(registry, "usergate.upstream.calls", meter -> true))
      .put("upstreamPausedSeconds", registry.find("usergate.upstream.paused.seconds").functionCounters().stream()
        .mapToDouble(FunctionCounter::count).sum())
      .put("cache", cache)
      .put("syncBatches", count(registry, "usergate.sync.batches", meter -> true))
      .put("syncJobs", outcomes)
      .put("writeThroughFailed", (long) registry.find("usergate.write.through.failed").functionCounters().stream()
        .mapToDouble(FunctionCounter::count).sum())
      .put("pools", new JsonObject()
        .put("store", pool(registry, "sql", "usergate-store"))
        .put("reads", pool(registry, "sql", "usergate-reads"))
        // Named after the upstream's host:port, so matched by type alone.
        .put("http", pool(registry, "http", null)));
  }

  private static long count(MeterRegistry registry, String name, Predicate<Meter> which) {
    return (long) registry.find(name).counters().stream().filter(which).mapToDouble(Counter::count).sum();
  }

  private static JsonObject pool(MeterRegistry registry, String type, String name) {
    return new JsonObject().put("inUse", gauge(registry, "vertx.pool.in.use", type, name))
      .put("waiting", gauge(registry, "vertx.pool.queue.pending", type, name));
  }

  private static long gauge(MeterRegistry registry, String metric, String type, String name) {
    return (long) registry.find(metric).gauges().stream()
      .filter(gauge -> type == null || type.equals(gauge.getId().getTag("pool_type")))
      .filter(gauge -> name == null || name.equals(gauge.getId().getTag("pool_name")))
      .mapToDouble(Gauge::value).sum();
  }
}
