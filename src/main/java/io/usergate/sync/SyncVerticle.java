package io.usergate.sync;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.usergate.bus.SharedJsonCodec;
import io.usergate.cache.Freshness;
import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.usergate.fetch.FetchAddresses;
import io.usergate.fetch.FetchMessages;
import io.usergate.log.RequestIds;
import io.usergate.metrics.Metrics;
import io.usergate.retry.Backoff;
import io.usergate.store.StoreAddresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.usergate.bus.BusReplies.answer;

/**
 * Drains the durable job queue on a timer, when woken by an enqueue, and when a job falls due before the
 * next tick ({@link NextRun}): claims due jobs with a lease, fetches them through the fetch verticle, and
 * completes them through the store in one transaction. Holds no connection and no SQL.
 *
 * <p>Undeploying it is the cancellation signal: the timers stop, a batch in flight gets
 * {@code sync.shutdownGraceMs} to finish, what it has not finished is handed back (pending again, the
 * attempt not charged), and only then does {@code stop()} complete. A crash loses nothing either:
 * the lease expires and any instance claims the jobs again.
 *
 * <p>Configuration: the {@code sync} section ({@link SyncSettings}). How many ids go in one
 * {@code fetch.many} is the fetch verticle's limit, which it tells in {@code usergate.fetch.status}: the sync
 * asks once in {@code start()}, so the fetch verticle is deployed before it.
 */
public class SyncVerticle extends VerticleBase implements Batch.Sync {

  static final long QUEUE_POLL_MS = 5000;
  private static final int REFRESH_LIMIT = 100_000;
  private static final Logger LOG = LoggerFactory.getLogger(SyncVerticle.class);
  /** The outcomes of a job in a batch, as the store counts them and the metrics label them. */
  private static final List<String> OUTCOMES = List.of("succeeded", "removed", "retried", "failed", "notHeld");

  private final String owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
  private SyncSettings settings;
  private Backoff backoff;
  /** The fetch verticle's limit of ids in one {@code fetch.many}, asked once in {@code start()}. */
  private int maxIdsPerRequest;
  private long batchTimer;
  /** The periodic tick's next time, and the one-shot timer for a job due before it. */
  private NextRun nextRun;
  private long refreshTimer;
  private long walkTimer = -1;
  private Walker walker;
  /** Follows the directory's changes (sync.deltaPath, sync.changedSincePath); null when neither is set. */
  private Follower follower;
  private long followTimer = -1;
  private boolean stopping;
  /**
   * The batches under way: one, or two while the older one completes (its one transaction) and the newer
   * claims and fetches. Never two claiming or fetching at once.
   */
  private final List<Batch> running = new ArrayList<>();
  private boolean wokenDuringBatch;
  /** The due timer fired while a batch was under way: that job is due, the batch's replies no longer count it. */
  private boolean dueDuringBatch;
  /** The queue's figures for the gauges, read every {@link #QUEUE_POLL_MS}: a gauge must not wait for SQL. */
  private volatile JsonObject queue = new JsonObject();
  private long queueTimer;
  private JsonObject lastBatch;

  @Override
  public Future<?> start() {
    SharedJsonCodec.register(vertx);
    settings = SyncSettings.from(config());
    backoff = new Backoff(settings.retryBaseDelayMs(), settings.retryMaxDelayMs());
    walker = new Walker(vertx, owner, settings, this::request);
    follower = settings.followKind() == null ? null : new Follower(owner, settings, this::request, walker);
    // A job due before the next tick (a failed one after its backoff) runs when it falls due, no sooner
    // than the backoff's floor after the batch before.
    nextRun = new NextRun(vertx, settings.intervalMs(), settings.retryBaseDelayMs(), this::due);
    EventBus bus = vertx.eventBus();
    return askFetchLimit()
      .compose(limit -> {
        maxIdsPerRequest = limit;
        return Future.all(List.of(
          bus.consumer(SyncAddresses.REFRESH, message -> answer(message, body -> refresh())).completion(),
          bus.consumer(SyncAddresses.STATUS, message -> answer(message, body -> status())).completion(),
          bus.consumer(SyncAddresses.WALK, message -> answer(message, body -> walk())).completion(),
          bus.consumer(SyncAddresses.FOLLOW, message -> answer(message, body -> follow())).completion(),
          // An enqueue anywhere in the cluster (the store's LISTEN): look now rather than at the next tick.
          bus.localConsumer(StoreAddresses.JOBS_WAKE, message -> wake()).completion()));
      })
      .onSuccess(v -> {
        nextRun.periodicTick();
        // Periodic ticks stay setPeriodic: Vert.x 5's Timer (vertx.timer) is a one-shot future, and
        // re-arming one after each tick would drift from a fixed rate for no gain.
        batchTimer = vertx.setPeriodic(settings.intervalMs(), id -> {
          nextRun.periodicTick();
          tick();
        });
        refreshTimer = vertx.setPeriodic(settings.refreshIntervalMs(), id ->
          refresh().onFailure(failure -> LOG.warn("sync: refresh of stale users failed: {}", failure.getMessage())));
        queueTimer = vertx.setPeriodic(0, QUEUE_POLL_MS, id -> request(StoreAddresses.JOBS_STATUS, new JsonObject())
          .onSuccess(status -> queue = status)
          .onFailure(failure -> LOG.debug("sync: queue figures unavailable: {}", failure.getMessage())));
        Metrics.registry().ifPresent(this::registerGauges);
        if (settings.walkIntervalMs() > 0 && !settings.listPath().isBlank()) {
          walkTimer = vertx.setPeriodic(settings.walkIntervalMs(), id -> walker.start()
            .onFailure(failure -> LOG.warn("sync: the periodic walk could not start: {}", failure.getMessage())));
        }
        if (follower != null) {
          followTimer = vertx.setPeriodic(settings.deltaIntervalMs(), id -> follower.round());
          LOG.info("sync: follows the directory's changes ({} {}) every {} ms", settings.followKind(),
            "delta".equals(settings.followKind()) ? settings.deltaPath() : settings.changedSincePath(), settings.deltaIntervalMs());
        }
        LOG.info("sync: {} drains the job queue every {} ms, {} jobs a batch, lease {} ms, {} ids per fetch",
          owner, settings.intervalMs(), settings.batchSize(), settings.leaseMs(), maxIdsPerRequest);
      });
  }

  /** The fetch verticle's {@code maxIdsPerRequest}: it is deployed first, and its limit is its own. */
  private Future<Integer> askFetchLimit() {
    return request(FetchAddresses.STATUS, new JsonObject())
      .recover(failure -> Future.failedFuture(new IllegalStateException(
        "sync needs the fetch verticle, deployed before it: " + FetchAddresses.STATUS + " failed: " + failure.getMessage(), failure)))
      .compose(status -> status.getValue("maxIdsPerRequest") instanceof Integer limit && limit > 0
        ? Future.succeededFuture(limit)
        : Future.failedFuture(new IllegalStateException(FetchAddresses.STATUS + " has no maxIdsPerRequest: " + status.encode())));
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(batchTimer);
    nextRun.cancel();
    vertx.cancelTimer(refreshTimer);
    vertx.cancelTimer(walkTimer);
    vertx.cancelTimer(followTimer);
    vertx.cancelTimer(queueTimer);
    Future<Void> walk = follower == null ? walker.stop(settings.shutdownGraceMs())
      : Future.join(walker.stop(settings.shutdownGraceMs()), follower.stop(settings.shutdownGraceMs())).mapEmpty();
    if (running.isEmpty()) {
      return walk;
    }
    LOG.info("sync: stopping; the {} batch(es) in flight get {} ms to finish", running.size(), settings.shutdownGraceMs());
    List<Future<?>> finishing = new ArrayList<>(List.of(walk));
    for (Batch inFlight : List.copyOf(running)) {
      finishing.add(inFlight.finished()
        .timeout(settings.shutdownGraceMs(), TimeUnit.MILLISECONDS)
        .recover(graceOver -> inFlight.handBack()));
    }
    return Future.join(finishing);
  }

  @Override
  public void completing(Batch batch) {
    if (batch.full()) {
      tick();
    }
  }

  /** Publishes a batch's figures ({@link SyncAddresses#PROGRESS}), counts them and logs them. */
  @Override
  public void completed(int claimed, JsonObject counts, long durationMs) {
    JsonObject progress = counts.copy()
      .put("owner", owner)
      .put("claimed", claimed)
      .put("succeeded", counts.getLong("done"))
      .put("durationMs", durationMs)
      .put("finishedAt", Instant.now().toString());
    progress.remove("done");
    // Relative to the store's reply, and for the sync's timer only.
    progress.remove("nextDueInMs");
    vertx.eventBus().publish(SyncAddresses.PROGRESS, progress);
    Metrics.registry().ifPresent(registry -> {
      OUTCOMES.forEach(outcome -> Counter.builder("usergate.sync.job.outcomes")
        .description("jobs the sync finished, by outcome").tag("outcome", outcome).register(registry).increment(progress.getLong(outcome)));
      Counter.builder("usergate.sync.batches").description("batches the sync ran")
        .register(registry).increment();
    });
    LOG.info("sync: batch of {}: {} done, {} removed, {} retried, {} failed, {} pending left ({} ms)",
      claimed, counts.getLong("done"), counts.getLong("removed"), counts.getLong("retried"),
      counts.getLong("failed"), counts.getLong("pendingLeft"), durationMs);
    lastBatch = progress;
  }

  /** The ids through fetch.many in settled mode, in requests of at most the fetch verticle's maxIdsPerRequest. */
  @Override
  public Future<List<FetchMessages.Result>> fetchSettled(List<String> ids) {
    List<Future<List<FetchMessages.Result>>> chunks = new ArrayList<>();
    for (int from = 0; from < ids.size(); from += maxIdsPerRequest) {
      List<String> chunk = ids.subList(from, Math.min(from + maxIdsPerRequest, ids.size()));
      // No write-through: the completion stores the users in the same transaction as the job states. Always
      // live: the sync is the refresher, it wants neither the mirror's copy nor a remembered 404.
      FetchMessages.Many live = new FetchMessages.Many(List.copyOf(chunk), true, Freshness.Directives.LIVE, false, null);
      chunks.add(request(FetchAddresses.MANY, live.toJson())
        .map(FetchMessages.Result::listFrom)
        // The fetch itself failed (overloaded, gone): each id gets that error as a failed attempt.
        .recover(failure -> Future.succeededFuture(chunk.stream()
          .map(id -> FetchMessages.Result.failed(id, UsergateException.from(failure))).toList())));
    }
    return Future.all(chunks).map(all -> chunks.stream().flatMap(chunk -> chunk.result().stream()).toList());
  }

  /** PostgreSQL said jobs were enqueued: a batch now, or right after the one running (a burst wakes it once). */
  private void wake() {
    if (stopping) {
      return;
    }
    if (!running.isEmpty()) {
      wokenDuringBatch = true;
    }
    tick();
  }

  /** The store told when the earliest pending job not yet due falls due (its {@code nextDueInMs}). */
  @Override
  public void dueIn(JsonObject reply) {
    Long dueInMs = reply.getLong("nextDueInMs");
    if (dueInMs != null && !stopping) {
      nextRun.dueIn(dueInMs);
    }
  }

  /** The due timer fired: a batch now, or right after the one under way (whose replies no longer count that job). */
  private void due() {
    if (!tick()) {
      dueDuringBatch = !stopping;
    }
  }

  /** Starts a batch unless one is claiming or fetching; returns whether it did. */
  private boolean tick() {
    // A batch slower than the interval delays the next one; only the completion of one may overlap the
    // claim and fetch of the next.
    if (stopping || running.size() >= 2 || running.stream().anyMatch(batch -> batch.phase() != Batch.Phase.COMPLETING)) {
      return false;
    }
    Batch batch = new Batch(this, owner, settings, backoff);
    running.add(batch);
    nextRun.batchStarted();
    // This batch's claim takes whatever the due timer fired for.
    dueDuringBatch = false;
    batch.finished().onComplete(done -> {
      running.remove(batch);
      // A full batch means more may be due; a wake-up during the batch, that more was enqueued.
      if (batch.phase() == Batch.Phase.COMPLETED && batch.full() || wokenDuringBatch) {
        wokenDuringBatch = false;
        tick();
      } else if (dueDuringBatch && !stopping) {
        // Due already, so no reply counts it any more: the timer again, at once or at the backoff's floor.
        dueDuringBatch = false;
        nextRun.dueIn(0);
      }
    });
    batch.run();
    return true;
  }

  private Future<JsonObject> refresh() {
    long refreshAfterMs = settings.refreshAfterMs();
    return request(StoreAddresses.JOBS_REFRESH, new JsonObject().put("staleAfterMs", refreshAfterMs).put("limit", REFRESH_LIMIT))
      .onSuccess(reply -> {
        if (reply.getInteger("enqueued") > 0) {
          LOG.info("sync: {} user(s) fetched more than {} ms ago enqueued for a refresh", reply.getInteger("enqueued"), refreshAfterMs);
        }
      });
  }

  private void registerGauges(MeterRegistry registry) {
    for (String state : List.of("pending", "running", "done", "failed")) {
      Gauge.builder("usergate.sync.jobs", this, sync -> sync.queue.getLong(state, 0L))
        .tag("state", state).description("jobs in the sync queue, by state").register(registry);
    }
    Gauge.builder("usergate.sync.oldest.pending.age", this,
        sync -> sync.queue.getLong("oldestPendingAgeMs") == null ? 0 : sync.queue.getLong("oldestPendingAgeMs") / 1000.0)
      .baseUnit("seconds").description("how long the oldest due pending job has waited (the queue's SLO)").register(registry);
  }

  private Future<JsonObject> walk() {
    if (settings.listPath().isBlank()) {
      throw ErrorCode.BAD_REQUEST.error("the directory has no paged list to walk: set sync.listPath");
    }
    return walker.start();
  }

  private Future<JsonObject> follow() {
    if (follower == null) {
      throw ErrorCode.BAD_REQUEST.error("nothing follows the directory's changes: set sync.deltaPath or sync.changedSincePath");
    }
    return follower.round();
  }

  private Future<JsonObject> status() {
    Future<JsonObject> walk = request(StoreAddresses.WALK_STATUS, new JsonObject());
    Future<JsonObject> delta = follower == null ? Future.succeededFuture()
      : request(StoreAddresses.FOLLOW_STATUS, new JsonObject()).map(follow -> follow
        .put("path", "delta".equals(settings.followKind()) ? settings.deltaPath() : settings.changedSincePath())
        .put("intervalMs", settings.deltaIntervalMs()));
    return Future.all(request(StoreAddresses.JOBS_STATUS, new JsonObject()), walk, delta).map(both -> new JsonObject()
      .put("jobs", both.<JsonObject>resultAt(0))
      .put("delta", delta.result())
      .put("walk", walk.result().put("listPath", settings.listPath().isBlank() ? null : settings.listPath())
        .put("listNext", settings.listNext()))
      .put("batchRunning", !running.isEmpty())
      .put("lastBatch", lastBatch)
      .put("nextRunAt", stopping ? null : Instant.ofEpochMilli(nextRun.at()).toString())
      .put("owner", owner));
  }

  @Override
  public Future<JsonObject> request(String address, JsonObject body) {
    // No bus answer is useful after the lease: by then another instance may own the jobs.
    return vertx.eventBus().<JsonObject>request(address, body,
        RequestIds.with(SharedJsonCodec.requestOptions(vertx).setCodecName(SharedJsonCodec.NAME).setSendTimeout(settings.leaseMs())))
      .map(Message::body);
  }
}
