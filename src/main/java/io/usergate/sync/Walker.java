package io.usergate.sync;

import io.usergate.user.UserId;
import io.micrometer.core.instrument.Counter;
import io.usergate.error.UsergateException;
import io.usergate.fetch.FetchAddresses;
import io.usergate.metrics.Metrics;
import io.usergate.store.StoreAddresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * The paged walk of the whole directory ({@code sync.listPath}): the one way to learn that a user was
 * deleted. One walk at a time in the cluster (a lease on the walk's row in PostgreSQL). Pages are fetched
 * through the fetch verticle (its semaphore, rate limit and deadlines), up to
 * {@code sync.walkPagesInFlight} ahead, and stored strictly in order, each with the walk's new position
 * in one transaction: a walk cut short (a crash, an undeploy, a failed page, a lost lease) resumes from
 * the last page stored. After the last page, the store removes the users the walk did not list, unless
 * it has reason to doubt the walk (see the store's {@code walk.finish}).
 */
final class Walker {

  private static final Logger LOG = LoggerFactory.getLogger(Walker.class);

  private final Vertx vertx;
  private final String owner;
  private final SyncSettings settings;
  private final BiFunction<String, JsonObject, Future<JsonObject>> bus;
  private Walk current;
  private boolean stopping;

  /** {@code bus}: a request to an address of fetch or store, answering the reply's body. */
  Walker(Vertx vertx, String owner, SyncSettings settings, BiFunction<String, JsonObject, Future<JsonObject>> bus) {
    this.vertx = vertx;
    this.owner = owner;
    this.settings = settings;
    this.bus = bus;
  }

  /**
   * Starts a walk now, or resumes an interrupted one: {@code {"started": true, "walk"}}; when a walk runs
   * already, here or on another node, {@code {"started": false, "walk", "message"}} and nothing starts.
   */
  Future<JsonObject> start() {
    if (stopping) {
      return Future.succeededFuture(notStarted(null, "the sync is stopping"));
    }
    if (current != null) {
      return Future.succeededFuture(notStarted(current.walk, "a walk is already running on this node (" + owner + ")"));
    }
    return bus.apply(StoreAddresses.WALK_BEGIN, new JsonObject().put("owner", owner).put("leaseMs", settings.leaseMs()))
      .map(reply -> {
        JsonObject walk = reply.getJsonObject("walk");
        if (!reply.getBoolean("held") || current != null) {
          return notStarted(walk, "a walk is already running (" + walk.getString("owner") + ", page " + walk.getLong("pages") + ")");
        }
        current = new Walk(walk);
        current.finished.future().onComplete(done -> current = null);
        LOG.info("sync: walk {} of the directory {} at offset {}", walk.getLong("generation"),
          walk.getLong("nextOffset") > 0 ? "resumed" : "started", walk.getLong("nextOffset"));
        current.next();
        return new JsonObject().put("started", true).put("walk", walk);
      });
  }

  private static JsonObject notStarted(JsonObject walk, String message) {
    return new JsonObject().put("started", false).put("walk", walk).put("message", message);
  }

  /**
   * Undeploy: no page starts; the one being stored gets {@code graceMs} to finish, and the walk is then
   * interrupted at the last page stored, for the next walk to resume.
   */
  Future<Void> stop(long graceMs) {
    stopping = true;
    Walk walk = current;
    if (walk == null) {
      return Future.succeededFuture();
    }
    walk.cancelAhead();
    return walk.finished.future().timeout(graceMs, TimeUnit.MILLISECONDS)
      .recover(graceOver -> walk.interrupt("undeployed while page at offset " + walk.committed + " was under way"));
  }

  /** One walk, from the position it was given. */
  private final class Walk {

    /** A page asked for ahead of its turn. */
    private record Ahead(long offset, String requestId, Future<JsonObject> page) {
    }

    final Promise<Void> finished = Promise.promise();
    final long generation;
    final ArrayDeque<Ahead> ahead = new ArrayDeque<>();
    /** The offset of the next page to store. */
    long committed;
    /** The offset of the next page to ask for. */
    long fetchFrom;
    /** A page shorter than asked was seen: there is none after it. */
    boolean endSeen;
    JsonObject walk;
    Set<String> previousIds = Set.of();

    Walk(JsonObject walk) {
      this.walk = walk;
      this.generation = walk.getLong("generation");
      this.committed = walk.getLong("nextOffset");
      this.fetchFrom = committed;
    }

    private void fill() {
      while (!endSeen && !stopping && ahead.size() < settings.walkPagesInFlight()) {
        String requestId = owner + "/walk-" + generation + "/" + fetchFrom;
        ahead.add(new Ahead(fetchFrom, requestId, bus.apply(FetchAddresses.PAGE, new JsonObject().put("offset", fetchFrom)
          .put("limit", settings.listPageSize()).put(FetchAddresses.REQUEST_ID, requestId))));
        fetchFrom += settings.listPageSize();
      }
    }

    /** The pages asked for ahead are of no use any more: their calls are cancelled. */
    void cancelAhead() {
      for (Ahead page : ahead) {
        vertx.eventBus().publish(FetchAddresses.CANCEL, new JsonObject().put(FetchAddresses.REQUEST_ID, page.requestId()));
      }
      ahead.clear();
    }

    void next() {
      if (stopping) {
        interrupt("undeployed at offset " + committed);
        return;
      }
      fill();
      Ahead head = ahead.poll();
      head.page().onComplete(fetched -> {
        if (finished.future().isComplete()) {
          return;
        }
        if (fetched.failed()) {
          cancelAhead();
          interrupt("the page at offset " + head.offset() + " failed: " + UsergateException.from(fetched.cause()).getMessage());
          return;
        }
        store(head.offset(), fetched.result());
      });
    }

    private void store(long offset, JsonObject page) {
      int entries = page.getInteger("entries");
      Long total = page.getLong("total");
      boolean last = entries < settings.listPageSize() || total != null && offset + entries >= total;
      JsonArray users = page.getJsonArray("users");
      Set<String> ids = new HashSet<>();
      users.forEach(user -> ids.add(UserId.text(((JsonObject) user).getValue("id"))));
      if (!ids.isEmpty() && ids.equals(previousIds)) {
        cancelAhead();
        interrupt("the directory answered the same users at offset " + offset + " as on the page before: "
          + "does sync.listPath's position variable reach it?");
        return;
      }
      previousIds = ids;
      if (last) {
        endSeen = true;
        cancelAhead();
      }
      if (!page.getJsonArray("problems").isEmpty()) {
        LOG.warn("sync: walk page at offset {}: {} entr(y/ies) are not users and are not stored: {}", offset,
          page.getInteger("invalid"), page.getJsonArray("problems").encode());
      }
      JsonObject commit = new JsonObject().put("owner", owner).put("generation", generation).put("offset", offset)
        .put("nextOffset", offset + entries).put("users", users).put("invalid", page.getInteger("invalid"))
        .put("total", total).put("fetchedAt", Instant.now().toString()).put("leaseMs", settings.leaseMs());
      bus.apply(StoreAddresses.WALK_PAGE, commit).onComplete(stored -> {
        if (stored.failed()) {
          cancelAhead();
          interrupt("storing the page at offset " + offset + " failed: " + UsergateException.from(stored.cause()).getMessage());
          return;
        }
        if (!stored.result().getBoolean("held")) {
          cancelAhead();
          LOG.warn("sync: walk {} lost its lease at offset {}: another node walks on from there", generation, offset);
          finished.tryComplete();
          return;
        }
        walk = stored.result().getJsonObject("walk");
        committed = offset + entries;
        Metrics.registry().ifPresent(registry -> {
          Counter.builder("usergate.sync.walk.pages").description("pages of the directory's list the walk stored")
            .register(registry).increment();
          Counter.builder("usergate.sync.walk.users").description("users the walk listed and stored")
            .register(registry).increment(users.size());
        });
        vertx.eventBus().publish(SyncAddresses.PROGRESS, new JsonObject().put("walk", walk));
        if (last) {
          finish();
        } else {
          next();
        }
      });
    }

    private void finish() {
      bus.apply(StoreAddresses.WALK_FINISH, new JsonObject().put("owner", owner).put("generation", generation)
          .put("maxRemoveFraction", settings.walkMaxRemoveFraction()))
        .onSuccess(reply -> {
          if (!reply.getBoolean("held")) {
            LOG.warn("sync: walk {} lost its lease before its end", generation);
            return;
          }
          walk = reply.getJsonObject("walk");
          Metrics.registry().ifPresent(registry -> Counter.builder("usergate.sync.walk.removed")
            .description("users removed after a complete walk did not list them").register(registry).increment(walk.getLong("removed")));
          vertx.eventBus().publish(SyncAddresses.PROGRESS, new JsonObject().put("walk", walk));
          if ("done".equals(walk.getString("state"))) {
            LOG.info("sync: walk {} {}", generation, walk.getString("message"));
          } else {
            LOG.warn("sync: walk {} {}", generation, walk.getString("message"));
          }
        })
        .onFailure(failure -> LOG.warn("sync: the end of walk {} failed; the next walk resumes at its last page: {}",
          generation, failure.getMessage()))
        .onComplete(done -> finished.tryComplete());
    }

    /** Stops before the end, resumable from the last page stored; completes once that is recorded. */
    Future<Void> interrupt(String message) {
      return bus.apply(StoreAddresses.WALK_INTERRUPT, new JsonObject().put("owner", owner).put("message", message))
        .onSuccess(reply -> {
          if (reply.getBoolean("held")) {
            walk = reply.getJsonObject("walk");
            vertx.eventBus().publish(SyncAddresses.PROGRESS, new JsonObject().put("walk", walk));
          }
          LOG.warn("sync: walk {} interrupted at offset {}, to resume from there: {}", generation, committed, message);
        })
        .onFailure(failure -> LOG.warn("sync: walk {} could not record its interruption (its lease expires instead): {}",
          generation, failure.getMessage()))
        .<Void>mapEmpty()
        .otherwiseEmpty()
        .onComplete(done -> finished.tryComplete());
    }
  }
}
