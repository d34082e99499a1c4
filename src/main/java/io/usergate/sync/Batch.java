package io.usergate.sync;

import io.usergate.error.ErrorCode;
import io.usergate.fetch.FetchMessages;
import io.usergate.retry.Backoff;
import io.usergate.store.StoreAddresses;
import io.usergate.user.UserId;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One batch of the sync: claim due jobs with a lease, fetch their users, complete them in one transaction;
 * or, on undeploy past the grace, hand back what it claimed. The sync verticle runs batches and decides when
 * (its timers, wake-ups, a full batch); this class is what one batch does. Confined to the verticle's context.
 */
final class Batch {

  /** What a batch needs of the verticle that runs it. */
  interface Sync {
    /** A store request on behalf of the sync (its lease as the bus timeout). */
    Future<JsonObject> request(String address, JsonObject body);

    /** The ids through fetch.many in settled mode: one result per id, a user or an error. */
    Future<List<FetchMessages.Result>> fetchSettled(List<String> ids);

    /** The store said when its earliest pending job not yet due falls due ({@code nextDueInMs} of a reply). */
    void dueIn(JsonObject reply);

    /** This batch's completion, one transaction, is under way: a full batch lets the next one claim meanwhile. */
    void completing(Batch batch);

    /** This batch is done: its figures, for the progress event, the metrics and the log. */
    void completed(int claimed, JsonObject counts, long durationMs);
  }

  /**
   * Where a batch is. It moves forward only; an undeploy past the grace hands it back from
   * {@code CLAIMING} or {@code FETCHING}, but not once its completion (one transaction) is under way.
   */
  enum Phase { CLAIMING, FETCHING, COMPLETING, COMPLETED, HANDED_BACK }

  private static final Logger LOG = LoggerFactory.getLogger(Batch.class);

  private final Sync sync;
  private final String owner;
  private final SyncSettings settings;
  private final Backoff backoff;
  private final long startedAt = System.nanoTime();
  private final Promise<Void> finished = Promise.promise();
  private Phase phase = Phase.CLAIMING;
  private List<String> claimed = List.of();

  Batch(Sync sync, String owner, SyncSettings settings, Backoff backoff) {
    this.sync = sync;
    this.owner = owner;
    this.settings = settings;
    this.backoff = backoff;
  }

  Phase phase() {
    return phase;
  }

  /** Completes when the batch is over: completed, handed back, or failed (its jobs then come back when their lease expires). */
  Future<Void> finished() {
    return finished.future();
  }

  void run() {
    sync.request(StoreAddresses.JOBS_CLAIM, new JsonObject().put("owner", owner).put("limit", settings.batchSize())
        .put("leaseMs", settings.leaseMs()))
      .compose(reply -> {
        sync.dueIn(reply);
        JsonArray jobs = reply.getJsonArray("jobs");
        if (jobs.isEmpty()) {
          phase = Phase.COMPLETED;
          return Future.succeededFuture();
        }
        List<String> ids = new ArrayList<>();
        Map<String, Integer> attempts = new HashMap<>();
        jobs.forEach(job -> {
          ids.add(UserId.text(((JsonObject) job).getValue("id")));
          attempts.put(UserId.text(((JsonObject) job).getValue("id")), ((JsonObject) job).getInteger("attempts"));
        });
        claimed = ids;
        if (phase == Phase.HANDED_BACK) {
          // Undeployed while the claim was under way: give the jobs straight back.
          return release();
        }
        phase = Phase.FETCHING;
        Instant fetchedAt = Instant.now();
        return sync.fetchSettled(ids).compose(results -> complete(ids, attempts, results, fetchedAt));
      })
      .onFailure(failure -> LOG.warn("sync: batch failed, its jobs come back when their lease expires: {}", failure.getMessage()))
      .onComplete(done -> finished.tryComplete());
  }

  private Future<Void> complete(List<String> ids, Map<String, Integer> attempts, List<FetchMessages.Result> results,
                                Instant fetchedAt) {
    if (phase == Phase.HANDED_BACK) {
      return Future.succeededFuture();
    }
    JsonArray done = new JsonArray();
    JsonArray users = new JsonArray();
    JsonObject etags = new JsonObject();
    // The copies the directory confirmed (304): their fetch time alone is written.
    JsonObject revalidated = new JsonObject();
    JsonArray removed = new JsonArray();
    JsonArray failed = new JsonArray();
    for (FetchMessages.Result result : results) {
      String id = result.id();
      JsonObject error = result.error();
      if (error == null) {
        done.add(id);
        if (result.notModified()) {
          revalidated.put(id, result.upstreamEtag());
        } else {
          users.add(result.user());
          if (result.upstreamEtag() != null) {
            etags.put(id, result.upstreamEtag());
          }
        }
      } else if (ErrorCode.NOT_FOUND.name().equals(error.getString("code"))) {
        removed.add(id);
      } else {
        failed.add(new JsonObject().put("id", id)
          .put("error", error.getString("code") + ": " + error.getString("message"))
          .put("delayMs", backoff.delayMs(attempts.get(id))));
      }
    }
    phase = Phase.COMPLETING;
    sync.completing(this);
    JsonObject completion = new JsonObject().put("owner", owner).put("done", done).put("users", users)
      .put("etags", etags).put("revalidated", revalidated).put("fetchedAt", fetchedAt.toString()).put("removed", removed).put("failed", failed)
      .put("maxAttempts", settings.maxAttempts());
    return sync.request(StoreAddresses.JOBS_COMPLETE, completion).map(counts -> {
      phase = Phase.COMPLETED;
      sync.dueIn(counts);
      sync.completed(ids.size(), counts, (System.nanoTime() - startedAt) / 1_000_000);
      return null;
    });
  }

  /** Whether it claimed a whole batch: more may be due, and the next one starts at once rather than at the next tick. */
  boolean full() {
    return claimed.size() == settings.batchSize();
  }

  /** Undeploy past the grace: give back what was claimed and not completed. */
  Future<Void> handBack() {
    if (phase == Phase.COMPLETING || phase == Phase.COMPLETED) {
      // The completion is one transaction already under way: let it finish (the store bounds it).
      return finished.future();
    }
    phase = Phase.HANDED_BACK;
    // Nothing claimed yet: the claim, when it lands, hands its jobs back itself (or their lease expires).
    return claimed.isEmpty() ? Future.succeededFuture() : release();
  }

  private Future<Void> release() {
    return sync.request(StoreAddresses.JOBS_RELEASE, new JsonObject().put("owner", owner).put("ids", new JsonArray(new ArrayList<>(claimed))))
      .onSuccess(reply -> LOG.info("sync: handed back {} unfinished job(s) of the batch in flight", reply.getInteger("released")))
      .mapEmpty();
  }
}
