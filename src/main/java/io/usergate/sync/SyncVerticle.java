package io.usergate.sync;

import io.usergate.bus.SharedJsonCodec;
import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.usergate.fetch.FetchAddresses;
import io.usergate.metrics.Metrics;
import io.usergate.store.StoreAddresses;
import io.usergate.user.UserId;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static io.usergate.bus.BusReplies.answer;

/**
 * Drains the durable job queue on a timer: claims due jobs with a lease, fetches them through the fetch
 * verticle, and completes them through the store in one transaction. Holds no connection and no SQL.
 *
 * <p>Undeploying it is the cancellation signal: the timers stop, a batch in flight gets
 * {@code sync.shutdownGraceMs} to finish, what it has not finished is handed back (pending again, the
 * attempt not charged), and only then does {@code stop()} complete. A crash loses nothing either:
 * the lease expires and any instance claims the jobs again. Configuration: the {@code sync} section.
 */
public class SyncVerticle extends VerticleBase {

  public static final int MAX_ENQUEUE = 10_000;
  private static final int REFRESH_LIMIT = 100_000;
  private static final Logger LOG = LoggerFactory.getLogger(SyncVerticle.class);

  /** One batch: claim, fetch, complete; or, on undeploy past the grace, hand back. */
  private final class Batch {
    final long startedAt = System.nanoTime();
    final Promise<Void> finished = Promise.promise();
    List<Long> claimed = List.of();
    Instant fetchedAt = Instant.now();
    boolean completing;
    boolean handedBack;
    /** A full batch means more may be due: the next one starts at once rather than at the next tick. */
    boolean fullBatch;

    void run() {
      request(StoreAddresses.JOBS_CLAIM, new JsonObject().put("owner", owner).put("limit", batchSize).put("leaseMs", leaseMs))
        .compose(reply -> {
          JsonArray jobs = reply.getJsonArray("jobs");
          if (jobs.isEmpty()) {
            return Future.succeededFuture();
          }
          List<Long> ids = new ArrayList<>();
          Map<Long, Integer> attempts = new HashMap<>();
          jobs.forEach(job -> {
            ids.add(((JsonObject) job).getLong("id"));
            attempts.put(((JsonObject) job).getLong("id"), ((JsonObject) job).getInteger("attempts"));
          });
          claimed = ids;
          if (handedBack) {
            // Undeployed while the claim was under way: give the jobs straight back.
            return release();
          }
          return fetchSettled(ids).compose(results -> complete(ids, attempts, results));
        })
        .onFailure(failure -> LOG.warn("sync: batch failed, its jobs come back when their lease expires: {}", failure.getMessage()))
        .onComplete(done -> finished.tryComplete());
    }

    private Future<Void> complete(List<Long> ids, Map<Long, Integer> attempts, JsonArray results) {
      if (handedBack) {
        return Future.succeededFuture();
      }
      JsonArray done = new JsonArray();
      JsonArray users = new JsonArray();
      JsonArray removed = new JsonArray();
      JsonArray failed = new JsonArray();
      for (int i = 0; i < results.size(); i++) {
        JsonObject result = results.getJsonObject(i);
        long id = result.getLong("id");
        JsonObject error = result.getJsonObject("error");
        if (error == null) {
          done.add(id);
          users.add(result.getJsonObject("user"));
        } else if (ErrorCode.NOT_FOUND.name().equals(error.getString("code"))) {
          removed.add(id);
        } else {
          failed.add(new JsonObject().put("id", id)
            .put("error", error.getString("code") + ": " + error.getString("message"))
            .put("delayMs", backoffMs(attempts.get(id))));
        }
      }
      completing = true;
      JsonObject completion = new JsonObject().put("owner", owner).put("done", done).put("users", users)
        .put("fetchedAt", fetchedAt.toString()).put("removed", removed).put("failed", failed)
        .put("maxAttempts", maxAttempts);
      return request(StoreAddresses.JOBS_COMPLETE, completion).map(counts -> {
        JsonObject progress = counts.copy()
          .put("owner", owner)
          .put("claimed", ids.size())
          .put("succeeded", counts.getLong("done"))
          .put("durationMs", (System.nanoTime() - startedAt) / 1_000_000)
          .put("finishedAt", Instant.now().toString());
        progress.remove("done");
        lastBatch = progress;
        vertx.eventBus().publish(SyncAddresses.PROGRESS, progress);
        Metrics.registry().ifPresent(registry -> {
          for (String outcome : new String[] {"succeeded", "removed", "retried", "failed", "notHeld"}) {
            registry.counter("usergate.sync.jobs", "outcome", outcome).increment(progress.getLong(outcome));
          }
          registry.counter("usergate.sync.batches").increment();
        });
        LOG.info("sync: batch of {}: {} done, {} removed, {} retried, {} failed, {} pending left ({} ms)",
          ids.size(), counts.getLong("done"), counts.getLong("removed"), counts.getLong("retried"),
          counts.getLong("failed"), counts.getLong("pendingLeft"), progress.getLong("durationMs"));
        fullBatch = ids.size() == batchSize;
        return null;
      });
    }

    /** The ids through fetch.many in settled mode, in requests of at most maxIdsPerRequest. */
    private Future<JsonArray> fetchSettled(List<Long> ids) {
      fetchedAt = Instant.now();
      List<Future<JsonArray>> chunks = new ArrayList<>();
      for (int from = 0; from < ids.size(); from += maxIdsPerRequest) {
        List<Long> chunk = ids.subList(from, Math.min(from + maxIdsPerRequest, ids.size()));
        // No write-through: the completion stores the users in the same transaction as the job states.
        chunks.add(request(FetchAddresses.MANY, new JsonObject().put("ids", new JsonArray(new ArrayList<>(chunk)))
          .put("mode", FetchAddresses.MODE_SETTLED).put(FetchAddresses.WRITE_THROUGH, false))
          .map(reply -> reply.getJsonArray("results"))
          // The fetch itself failed (overloaded, gone): each id gets that error as a failed attempt.
          .recover(failure -> Future.succeededFuture(allFailed(chunk, UsergateException.from(failure)))));
      }
      return Future.all(chunks).map(all -> {
        JsonArray results = new JsonArray();
        for (Future<JsonArray> chunk : chunks) {
          results.addAll(chunk.result());
        }
        return results;
      });
    }

    /** Undeploy past the grace: give back what was claimed and not completed. */
    Future<Void> handBack() {
      if (completing) {
        // The completion is one transaction already under way: let it finish (the store bounds it).
        return finished.future();
      }
      handedBack = true;
      // Nothing claimed yet: the claim, when it lands, hands its jobs back itself (or their lease expires).
      return claimed.isEmpty() ? Future.succeededFuture() : release();
    }

    private Future<Void> release() {
      return request(StoreAddresses.JOBS_RELEASE, new JsonObject().put("owner", owner).put("ids", new JsonArray(new ArrayList<>(claimed))))
        .onSuccess(reply -> LOG.info("sync: handed back {} unfinished job(s) of the batch in flight", reply.getInteger("released")))
        .mapEmpty();
    }
  }

  private final String owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
  private int batchSize;
  private long leaseMs;
  private int maxAttempts;
  private long retryBaseDelayMs;
  private long retryMaxDelayMs;
  private long shutdownGraceMs;
  private long refreshAfterMs;
  private long intervalMs;
  private int maxIdsPerRequest;
  private long batchTimer;
  private long refreshTimer;
  private long nextRunAt;
  private boolean stopping;
  private Batch current;
  private JsonObject lastBatch;

  @Override
  public Future<?> start() {
    SharedJsonCodec.register(vertx);
    JsonObject sync = config().getJsonObject("sync");
    batchSize = sync.getInteger("batchSize");
    leaseMs = sync.getInteger("leaseMs");
    maxAttempts = sync.getInteger("maxAttempts");
    retryBaseDelayMs = sync.getInteger("retryBaseDelayMs");
    retryMaxDelayMs = sync.getInteger("retryMaxDelayMs");
    shutdownGraceMs = sync.getInteger("shutdownGraceMs");
    refreshAfterMs = sync.getLong("refreshAfterMs");
    intervalMs = sync.getInteger("intervalMs");
    maxIdsPerRequest = config().getJsonObject("upstream").getInteger("maxIdsPerRequest");
    EventBus bus = vertx.eventBus();
    return Future.all(List.of(
        bus.consumer(SyncAddresses.ENQUEUE, message -> answer(message, this::enqueue)).completion(),
        bus.consumer(SyncAddresses.REFRESH, message -> answer(message, body -> refresh())).completion(),
        bus.consumer(SyncAddresses.STATUS, message -> answer(message, body -> status())).completion()))
      .onSuccess(v -> {
        nextRunAt = System.currentTimeMillis() + intervalMs;
        batchTimer = vertx.setPeriodic(intervalMs, id -> tick());
        refreshTimer = vertx.setPeriodic(sync.getInteger("refreshIntervalMs"), id -> refresh()
          .onFailure(failure -> LOG.warn("sync: refresh of stale users failed: {}", failure.getMessage())));
        LOG.info("sync: {} drains the job queue every {} ms, {} jobs a batch, lease {} ms", owner, intervalMs, batchSize, leaseMs);
      });
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(batchTimer);
    vertx.cancelTimer(refreshTimer);
    Batch inFlight = current;
    if (inFlight == null) {
      return Future.succeededFuture();
    }
    LOG.info("sync: stopping; the batch in flight gets {} ms to finish", shutdownGraceMs);
    Promise<Void> graceOver = Promise.promise();
    long graceTimer = vertx.setTimer(Math.max(1, shutdownGraceMs), id -> graceOver.tryComplete());
    return Future.any(inFlight.finished.future(), graceOver.future())
      .compose(first -> {
        vertx.cancelTimer(graceTimer);
        return inFlight.finished.future().isComplete() ? Future.succeededFuture() : inFlight.handBack();
      });
  }

  private void tick() {
    nextRunAt = System.currentTimeMillis() + intervalMs;
    // Runs never overlap: a batch slower than the interval delays the next one.
    if (stopping || current != null) {
      return;
    }
    Batch batch = new Batch();
    current = batch;
    batch.finished.future().onComplete(done -> {
      current = null;
      if (batch.fullBatch) {
        tick();
      }
    });
    batch.run();
  }

  private Future<JsonObject> enqueue(JsonObject body) {
    List<Long> ids = UserId.listFromField(body, "ids", MAX_ENQUEUE);
    return request(StoreAddresses.JOBS_ENQUEUE, new JsonObject().put("ids", new JsonArray(new ArrayList<>(ids))));
  }

  private Future<JsonObject> refresh() {
    return request(StoreAddresses.JOBS_REFRESH, new JsonObject().put("staleAfterMs", refreshAfterMs).put("limit", REFRESH_LIMIT))
      .onSuccess(reply -> {
        if (reply.getInteger("enqueued") > 0) {
          LOG.info("sync: {} user(s) fetched more than {} ms ago enqueued for a refresh", reply.getInteger("enqueued"), refreshAfterMs);
        }
      });
  }

  private Future<JsonObject> status() {
    return request(StoreAddresses.JOBS_STATUS, new JsonObject()).map(jobs -> new JsonObject()
      .put("jobs", jobs)
      .put("batchRunning", current != null)
      .put("lastBatch", lastBatch)
      .put("nextRunAt", stopping ? null : Instant.ofEpochMilli(nextRunAt).toString())
      .put("owner", owner));
  }

  /** Exponential backoff with jitter: base × 2^attempts, between half and all of it, capped. */
  private long backoffMs(int attemptsBefore) {
    long ceiling = Math.min(retryMaxDelayMs, retryBaseDelayMs << Math.min(attemptsBefore, 30));
    return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
  }

  private Future<JsonObject> request(String address, JsonObject body) {
    // No bus answer is useful after the lease: by then another instance may own the jobs.
    return vertx.eventBus().<JsonObject>request(address, body, SharedJsonCodec.requestOptions(vertx).setCodecName(SharedJsonCodec.NAME).setSendTimeout(leaseMs))
      .map(Message::body);
  }

  private static JsonArray allFailed(List<Long> ids, UsergateException error) {
    JsonArray results = new JsonArray();
    ids.forEach(id -> results.add(new JsonObject().put("id", id).put("error", error.toJson().getJsonObject("error"))));
    return results;
  }
}
