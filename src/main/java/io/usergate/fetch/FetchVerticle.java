package io.usergate.fetch;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.usergate.bus.BusReplies.Reply;
import io.usergate.bus.SharedJsonCodec;
import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.usergate.metrics.Metrics;
import io.usergate.store.StoreAddresses;
import io.usergate.user.User;
import io.usergate.user.UserId;
import io.vertx.core.CompositeFuture;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.usergate.bus.BusReplies.answer;
import static io.usergate.bus.BusReplies.answerWithHeaders;

/**
 * Fetches users from the upstream in parallel: at most {@code upstream.maxConcurrent} requests in flight
 * (an {@link AsyncSemaphore}), concurrent requests for one id sharing one upstream call (a
 * {@link Coalescer}), work nobody waits for cancelled, and every user fetched written through to the store
 * ({@link WriteThrough}). The verticle only wires these and answers the bus.
 * Configuration: the {@code upstream} section ({@link UpstreamSettings}).
 */
public class FetchVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(FetchVerticle.class);

  /** Upstream failures after which {@code staleFallback} serves a stored copy instead. */
  private static final Set<ErrorCode> UPSTREAM_FAILURES =
    EnumSet.of(ErrorCode.UPSTREAM_TIMEOUT, ErrorCode.UPSTREAM_ERROR, ErrorCode.UPSTREAM_UNAVAILABLE);

  /** Requests under way that a caller named, so that it can cancel them. */
  private final Map<String, Cancellation> cancellable = new HashMap<>();
  private UpstreamSettings settings;
  private AsyncSemaphore semaphore;
  private Upstream upstream;
  private WriteThrough writeThrough;
  private Coalescer<Long, User> coalescer;

  @Override
  public Future<?> start() {
    SharedJsonCodec.register(vertx);
    settings = UpstreamSettings.from(config());
    semaphore = new AsyncSemaphore(vertx, settings.maxConcurrent(), settings.maxQueued());
    upstream = new Upstream(vertx, settings);
    writeThrough = new WriteThrough(vertx, settings.writeThroughDelayMs(), settings.writeThroughMinIntervalMs());
    coalescer = new Coalescer<>(this::upstreamCall);
    Metrics.registry().ifPresent(this::registerGauges);
    EventBus bus = vertx.eventBus();
    return Future.all(List.of(
        bus.consumer(FetchAddresses.ONE, message -> answerWithHeaders(message, this::one, UsergateException::from)).completion(),
        bus.consumer(FetchAddresses.MANY, message -> answer(message, this::many)).completion(),
        bus.consumer(FetchAddresses.STATUS, message -> answer(message, body -> Future.succeededFuture(status()))).completion(),
        bus.<Object>consumer(FetchAddresses.CANCEL, this::cancel).completion()))
      .onSuccess(v -> LOG.info("fetch: upstream {}, at most {} in flight, {} queued, {} ms per attempt, {} retries",
        settings.baseUrl(), settings.maxConcurrent(), settings.maxQueued(), settings.timeoutMs(), settings.retries()));
  }

  @Override
  public Future<?> stop() {
    // What was fetched reaches the store before the client (and then the store) goes away.
    return writeThrough.close().eventually(() -> upstream.close());
  }

  private Future<Reply> one(JsonObject body) {
    long id = UserId.fromField(body, "id");
    boolean staleFallback = flag(body, FetchAddresses.STALE_FALLBACK, false);
    Cancellation cancellation = named(body);
    return coalescer.get(id, cancellation)
      .andThen(done -> forget(body))
      .map(user -> {
        writeThrough.add(List.of(user), Instant.now());
        return new Reply(user.profile(), Map.of(FetchAddresses.SOURCE_HEADER, "upstream"));
      })
      .recover(failure -> {
        UsergateException error = UsergateException.from(failure);
        if (!staleFallback || !UPSTREAM_FAILURES.contains(error.code())) {
          return Future.failedFuture(error);
        }
        // The upstream failed: a stored copy is better than an error, and says where it came from.
        return vertx.eventBus().<JsonObject>request(StoreAddresses.GET, new JsonObject().put("id", id), SharedJsonCodec.requestOptions(vertx))
          .<Reply>map(stored -> new Reply(stored.body(), Map.of(FetchAddresses.SOURCE_HEADER, "store",
            StoreAddresses.FETCHED_AT_HEADER, stored.headers().get(StoreAddresses.FETCHED_AT_HEADER))))
          .otherwise(noCopy -> { throw error; });
      });
  }

  /** The request's cancellation, registered under its requestId when the caller gave one. */
  private Cancellation named(JsonObject body) {
    Cancellation cancellation = new Cancellation();
    if (body.getValue(FetchAddresses.REQUEST_ID) instanceof String requestId) {
      cancellable.put(requestId, cancellation);
    }
    return cancellation;
  }

  private void forget(JsonObject body) {
    if (body.getValue(FetchAddresses.REQUEST_ID) instanceof String requestId) {
      cancellable.remove(requestId);
    }
  }

  /** A publish, so nobody hears an answer: a malformed one is simply ignored. */
  private void cancel(Message<Object> message) {
    if (message.body() instanceof JsonObject body && body.getValue(FetchAddresses.REQUEST_ID) instanceof String requestId) {
      Cancellation cancellation = cancellable.remove(requestId);
      if (cancellation != null) {
        LOG.debug("fetch: request {} cancelled by its caller", requestId);
        cancellation.cancel();
      }
    }
  }

  private static boolean flag(JsonObject body, String field, boolean absent) {
    Object value = body.getValue(field, absent);
    if (!(value instanceof Boolean)) {
      throw ErrorCode.BAD_REQUEST.error(field + " must be true or false, not " + value);
    }
    return (Boolean) value;
  }

  private Future<JsonObject> many(JsonObject body) {
    List<Long> ids = UserId.listFromField(body, "ids", settings.maxIdsPerRequest());
    Object mode = body.getValue("mode", FetchAddresses.MODE_ALL);
    if (!FetchAddresses.MODE_ALL.equals(mode) && !FetchAddresses.MODE_SETTLED.equals(mode)) {
      throw ErrorCode.BAD_REQUEST.error("mode must be \"all\" or \"settled\", not " + mode);
    }
    boolean all = FetchAddresses.MODE_ALL.equals(mode);
    boolean write = flag(body, FetchAddresses.WRITE_THROUGH, true);
    Instant started = Instant.now();
    Cancellation cancellation = named(body);
    // An id asked for twice is fetched once and answered in each of its places.
    Map<Long, Future<User>> byId = new LinkedHashMap<>();
    for (long id : ids) {
      byId.computeIfAbsent(id, unique -> coalescer.get(unique, cancellation));
    }
    List<Future<User>> unique = new ArrayList<>(byId.values());
    // "all" fails on the first failure and cancels the rest; "settled" waits for every outcome, each one an answer.
    Future<CompositeFuture> outcome = all
      ? Future.all(unique).onFailure(failure -> cancellation.cancel())
      : Future.join(unique).otherwiseEmpty();
    return outcome
      .andThen(done -> {
        forget(body);
        if (write) {
          writeThrough.add(succeeded(unique), started);
        }
      })
      .map(done -> all ? usersReply(ids, byId) : settledReply(ids, byId));
  }

  /** {@code {"users": [...]}}, in the order asked: every id succeeded. */
  private static JsonObject usersReply(List<Long> ids, Map<Long, Future<User>> byId) {
    JsonArray users = new JsonArray();
    ids.forEach(id -> users.add(byId.get(id).result().profile()));
    return new JsonObject().put("users", users);
  }

  /** {@code {"results": [...], "succeeded": n, "failed": m}}, in the order asked. */
  private static JsonObject settledReply(List<Long> ids, Map<Long, Future<User>> byId) {
    JsonArray results = new JsonArray();
    int failed = 0;
    for (long id : ids) {
      Future<User> result = byId.get(id);
      JsonObject entry = new JsonObject().put("id", id);
      if (result.succeeded()) {
        entry.put("user", result.result().profile());
      } else {
        entry.put("error", UsergateException.from(result.cause()).toJson().getJsonObject("error"));
        failed++;
      }
      results.add(entry);
    }
    return new JsonObject().put("results", results).put("succeeded", ids.size() - failed).put("failed", failed);
  }

  private static List<User> succeeded(List<Future<User>> futures) {
    List<User> users = new ArrayList<>();
    for (Future<User> future : futures) {
      if (future.succeeded()) {
        users.add(future.result());
      }
    }
    return users;
  }

  /**
   * The one upstream call the coalescer shares between the callers of an id: a permit, then the upstream.
   * A 404 also clears the write-through's memory of the user, before any caller hears of it.
   */
  private Future<User> upstreamCall(long id, Cancellation cancellation) {
    return semaphore.acquire(settings.queueTimeoutMs(), cancellation)
      .compose(permit -> {
        if (cancellation.isCancelled()) {
          permit.release();
          return Future.failedFuture(new CancelledException());
        }
        // The permit goes back on the next tick, once the callers have heard the result: a failure in
        // "all" mode then cancels the queued siblings before one of them could take the permit.
        return upstream.fetchUser(id, cancellation).andThen(done -> vertx.runOnContext(v -> permit.release()));
      })
      .andThen(done -> {
        if (done.cause() instanceof UsergateException error && error.code() == ErrorCode.NOT_FOUND) {
          writeThrough.forget(id);
        }
      });
  }

  private void registerGauges(MeterRegistry registry) {
    Gauge.builder("usergate.upstream.in.flight", semaphore, AsyncSemaphore::inFlight)
      .description("upstream requests in flight (semaphore permits held)").register(registry);
    Gauge.builder("usergate.upstream.queued", semaphore, AsyncSemaphore::queued)
      .description("upstream requests waiting for a permit").register(registry);
    Gauge.builder("usergate.upstream.permits", semaphore, AsyncSemaphore::permits)
      .description("upstream.maxConcurrent").register(registry);
    Gauge.builder("usergate.write.through.failed", writeThrough, WriteThrough::failedCount)
      .description("users fetched whose write-through to the store failed").register(registry);
  }

  private JsonObject status() {
    return new JsonObject()
      .put("maxIdsPerRequest", settings.maxIdsPerRequest())
      .put("maxConcurrent", semaphore.permits())
      .put("inFlight", semaphore.inFlight())
      .put("queued", semaphore.queued())
      .put("available", semaphore.available())
      .put("sharedCalls", coalescer.size())
      .put("breaker", upstream.breakerState().name())
      .put("breakerSince", upstream.breakerSince().toString())
      .put("breakerFailures", upstream.breakerFailures())
      .put("writeThrough", writeThrough.status());
  }
}
