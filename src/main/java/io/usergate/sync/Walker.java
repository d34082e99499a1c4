package io.usergate.sync;

import io.micrometer.core.instrument.Counter;
import io.usergate.error.UsergateException;
import io.usergate.fetch.FetchAddresses;
import io.usergate.fetch.FetchMessages;
import io.usergate.metrics.Metrics;
import io.usergate.store.StoreAddresses;
import io.usergate.user.UserId;
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
 * {@code sync.walkPagesInFlight} ahead when the directory pages by position ({@code sync.listNext} offset,
 * scim), one ahead when each page gives the next one's cursor (link, url, token), and stored strictly in
 * order, each with the walk's new position (and cursor) in one transaction: a walk cut short (a crash, an
 * undeploy, a failed page, a lost lease) resumes from the last page stored. A cursor the directory refuses
 * starts the walk again from the first page. After the last page, the store removes the users the walk did not list, unless
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
        LOG.info("sync: walk {} of the directory {} at offset {}{}", walk.getLong("generation"),
          walk.getLong("nextOffset") > 0 ? "resumed" : "started", walk.getLong("nextOffset"),
          walk.getString("nextCursor") != null ? ", from the cursor the directory gave" : "");
        current.begin();
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

  /**
   * One walk, from the position it was given: an offset (the entries before it), or with {@code sync.listNext}
   * link, url or token the cursor the directory gave for the next page.
   */
  private final class Walk {

    /** A page asked for ahead of its turn: {@code offset} entries into the list, asked for at {@code position}. */
    private record Ahead(long offset, JsonObject position, String requestId, Future<JsonObject> page) {
    }

    final Promise<Void> finished = Promise.promise();
    long generation;
    final ArrayDeque<Ahead> ahead = new ArrayDeque<>();
    /** The offset of the next page to store. */
    long committed;
    /** Where the next page to ask for is ({"offset"} or {"cursor"}); null while a cursor is not known yet. */
    JsonObject toAsk;
    /** The offset of the next page to ask for. */
    long toAskOffset;
    /** The last page was seen: there is none after it. */
    boolean endSeen;
    /** Why the walk started again from the first page on its way, or null. */
    String restartNote;
    JsonObject walk;
    Set<String> previousIds = Set.of();

    Walk(JsonObject walk) {
      this.walk = walk;
      this.generation = walk.getLong("generation");
      this.committed = walk.getLong("nextOffset");
      this.toAskOffset = committed;
      String cursor = walk.getString("nextCursor");
      if (!settings.listByCursor() || committed == 0) {
        toAsk = new JsonObject().put("offset", committed);
      } else if (cursor != null) {
        toAsk = new JsonObject().put("cursor", cursor);
      }
    }

    /** Starts, or restarts from the first page when it has no cursor to resume from. */
    void begin() {
      if (toAsk == null) {
        restart("no cursor to resume from at offset " + committed + " (sync.listNext changed, or the walk had reached "
          + "its last page)");
      } else {
        next();
      }
    }

    private void fill() {
      while (!endSeen && !stopping && toAsk != null && ahead.size() < settings.walkPagesInFlight()) {
        String requestId = owner + "/walk-" + generation + "/" + toAskOffset;
        ahead.add(new Ahead(toAskOffset, toAsk, requestId, bus.apply(FetchAddresses.PAGE,
          FetchMessages.Page.at(toAsk, settings.listPageSize(), requestId).toJson())));
        if (settings.listByCursor()) {
          // The page after it is known once it arrives.
          toAsk = null;
        } else {
          toAskOffset += settings.listPageSize();
          toAsk = new JsonObject().put("offset", toAskOffset);
        }
      }
    }

    /** The pages asked for ahead are of no use any more: their calls are cancelled. */
    void cancelAhead() {
      for (Ahead page : ahead) {
        vertx.eventBus().publish(FetchAddresses.CANCEL, new FetchMessages.Cancel(page.requestId()).toJson());
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
      if (head == null) {
        interrupt("no page to ask for at offset " + committed);
        return;
      }
      head.page().onComplete(fetched -> {
        if (finished.future().isComplete()) {
          return;
        }
        if (fetched.failed()) {
          cancelAhead();
          interrupt("the page at offset " + head.offset() + " failed: " + UsergateException.from(fetched.cause()).getMessage());
          return;
        }
        JsonObject page = fetched.result();
        if (page.getValue("refused") instanceof String refusal) {
          restart("the directory refused the cursor of the page at offset " + head.offset() + " (" + refusal + ")");
          return;
        }
        JsonObject following = page.getJsonObject("next");
        if (settings.listByCursor() && following != null) {
          if (following.equals(head.position())) {
            cancelAhead();
            interrupt("the directory gave the page at offset " + head.offset() + " itself as the next page: its cursor does not move");
            return;
          }
          // Asked for now, while this one is stored.
          toAsk = following;
          toAskOffset = head.offset() + page.getInteger("entries");
          fill();
        }
        store(head, page);
      });
    }

    private void store(Ahead head, JsonObject page) {
      long offset = head.offset();
      int entries = page.getInteger("entries");
      Long total = page.getLong("total");
      JsonObject following = page.getJsonObject("next");
      boolean last = following == null;
      JsonArray users = page.getJsonArray("users");
      // Listed but marked inactive (sync.inactive remove): removed from the mirror with the page.
      JsonArray inactive = page.getJsonArray("inactive", new JsonArray());
      Set<String> ids = new HashSet<>();
      users.forEach(user -> ids.add(UserId.text(((JsonObject) user).getValue("id"))));
      inactive.forEach(id -> ids.add(UserId.text(id)));
      if (!ids.isEmpty() && ids.equals(previousIds)) {
        cancelAhead();
        interrupt("the directory answered the same users at offset " + offset + " as on the page before: "
          + (settings.listByCursor() ? "does it read its own cursor (sync.listNext " + settings.listNext() + ")?"
          : "does sync.listPath's position variable reach it?"));
        return;
      }
      previousIds = ids;
      if (last) {
        endSeen = true;
        cancelAhead();
      } else if (!settings.listByCursor() && following.getLong("offset") != offset + settings.listPageSize()) {
        // The directory answered fewer than asked without ending (a SCIM server's own page size): the pages asked
        // for ahead start at the wrong place.
        cancelAhead();
        toAsk = following;
        toAskOffset = following.getLong("offset");
      }
      if (!page.getJsonArray("problems").isEmpty()) {
        LOG.warn("sync: walk page at offset {}: {} entr(y/ies) are not users and are not stored: {}", offset,
          page.getInteger("invalid"), page.getJsonArray("problems").encode());
      }
      String nextCursor = settings.listByCursor() && following != null ? following.getString("cursor") : null;
      long walked = generation;
      JsonObject commit = new JsonObject().put("owner", owner).put("generation", generation).put("offset", offset)
        .put("nextOffset", offset + entries).put("nextCursor", nextCursor).put("users", users).put("inactive", inactive)
        .put("invalid", page.getInteger("invalid")).put("total", total).put("fetchedAt", Instant.now().toString())
        .put("leaseMs", settings.leaseMs());
      bus.apply(StoreAddresses.WALK_PAGE, commit).onComplete(stored -> {
        if (stored.failed()) {
          cancelAhead();
          interrupt("storing the page at offset " + offset + " failed: " + UsergateException.from(stored.cause()).getMessage());
          return;
        }
        if (!stored.result().getBoolean("held")) {
          cancelAhead();
          LOG.warn("sync: walk {} lost its lease at offset {}: another node walks on from there", walked, offset);
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
          Counter.builder("usergate.sync.walk.inactive").description("users the walk listed that the directory marks "
            + "inactive, removed from the mirror (sync.inactive remove)").register(registry).increment(inactive.size());
        });
        vertx.eventBus().publish(SyncAddresses.PROGRESS, new JsonObject().put("walk", walk));
        if (last) {
          finish();
        } else {
          next();
        }
      });
    }

    /**
     * The directory no longer takes the walk's cursor (expired, unknown): the walk starts again from the first
     * page as a new generation (see the store's {@code walk.restart}), once; a second refusal interrupts it.
     */
    private void restart(String why) {
      cancelAhead();
      if (restartNote != null) {
        interrupt(why + "; the walk started again from the first page once already, and stops here");
        return;
      }
      String message = "restarted from the first page: " + why;
      restartNote = "restarted from the first page on its way: " + why;
      LOG.warn("sync: walk {} {}", generation, message);
      bus.apply(StoreAddresses.WALK_RESTART, new JsonObject().put("owner", owner).put("generation", generation)
          .put("message", message).put("leaseMs", settings.leaseMs()))
        .onComplete(restarted -> {
          if (finished.future().isComplete()) {
            return;
          }
          if (restarted.failed()) {
            interrupt("starting again from the first page failed: " + UsergateException.from(restarted.cause()).getMessage());
            return;
          }
          if (!restarted.result().getBoolean("held")) {
            LOG.warn("sync: walk {} lost its lease before it could start again", generation);
            finished.tryComplete();
            return;
          }
          walk = restarted.result().getJsonObject("walk");
          generation = walk.getLong("generation");
          committed = 0;
          toAskOffset = 0;
          toAsk = new JsonObject().put("offset", 0L);
          previousIds = Set.of();
          endSeen = false;
          vertx.eventBus().publish(SyncAddresses.PROGRESS, new JsonObject().put("walk", walk));
          next();
        });
    }

    private void finish() {
      bus.apply(StoreAddresses.WALK_FINISH, new JsonObject().put("owner", owner).put("generation", generation)
          .put("maxRemoveFraction", settings.walkMaxRemoveFraction()).put("note", restartNote))
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
