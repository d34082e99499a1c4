package io.usergate.sync;

import io.micrometer.core.instrument.Counter;
import io.usergate.error.UsergateException;
import io.usergate.fetch.FetchAddresses;
import io.usergate.fetch.FetchMessages;
import io.usergate.metrics.Metrics;
import io.usergate.store.StoreAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * Follows the directory's changes between walks, one round every {@code sync.deltaIntervalMs}, one follower in the
 * cluster (a lease on the follower's row in PostgreSQL, taken for each round and given back after it):
 * <ul>
 *   <li>{@code delta} ({@code sync.deltaPath}): the first round pages by the next links to the delta link, storing
 *   every user; each later round polls the delta link: the users changed since, and those removed
 *   ({@code sync.deltaRemovedPointer}), to the next delta link. A link the directory refuses (Graph: 400
 *   {@code syncStateNotFound} after 7 days; some say 410) drops it: a full walk (its sweep, with its guard, removes
 *   the users deleted meanwhile), then a first round again for a fresh link.</li>
 *   <li>{@code changedSince} ({@code sync.changedSincePath}): the list filtered from the watermark (the start of the
 *   last complete round) less {@code sync.changedSinceOverlapMs}, paged as the walk's list; the first round, with no
 *   watermark, lists from 1970. Deletions are the periodic walk's.</li>
 * </ul>
 * Each page comes through the fetch verticle ({@code fetch.page}, its permits, rate, token and deadline) and is
 * stored with the follower's new position in one transaction, through the walk's writer (the change feed records
 * created, updated with its fields, removed): a round cut short resumes from its last page stored.
 */
final class Follower {

  private static final Logger LOG = LoggerFactory.getLogger(Follower.class);
  private static final Set<String> WALK_ENDED = Set.of("done", "stopped");

  private final String owner;
  private final SyncSettings settings;
  private final BiFunction<String, JsonObject, Future<JsonObject>> bus;
  private final Walker walker;
  private final String kind;
  private Future<JsonObject> running;
  private boolean stopping;
  private long calls;

  /** {@code bus}: a request to an address of fetch or store, answering the reply's body. */
  Follower(String owner, SyncSettings settings, BiFunction<String, JsonObject, Future<JsonObject>> bus, Walker walker) {
    this.owner = owner;
    this.settings = settings;
    this.bus = bus;
    this.walker = walker;
    this.kind = settings.followKind();
  }

  /** One round now, or the one under way on this node: {@code {"ran", "follow", "message"}} once it ends. */
  Future<JsonObject> round() {
    if (stopping) {
      return Future.succeededFuture(new JsonObject().put("ran", false).put("message", "the sync is stopping"));
    }
    if (running == null) {
      Future<JsonObject> round = begin();
      running = round;
      round.onComplete(done -> running = null);
    }
    return running;
  }

  /** Undeploy: the round under way gets {@code graceMs}, then the lease is given back for the next follower. */
  Future<Void> stop(long graceMs) {
    stopping = true;
    Future<JsonObject> round = running;
    Future<?> finished = round == null ? Future.succeededFuture() : round.timeout(graceMs, TimeUnit.MILLISECONDS).otherwiseEmpty();
    return finished.compose(done -> bus.apply(StoreAddresses.FOLLOW_RELEASE, new JsonObject().put("owner", owner)))
      .<Void>mapEmpty().otherwiseEmpty();
  }

  private Future<JsonObject> begin() {
    return bus.apply(StoreAddresses.FOLLOW_BEGIN, new JsonObject().put("owner", owner).put("leaseMs", settings.leaseMs()).put("kind", kind))
      .compose(reply -> {
        JsonObject follow = reply.getJsonObject("follow");
        if (!reply.getBoolean("held")) {
          return Future.succeededFuture(new JsonObject().put("ran", false).put("follow", follow)
            .put("message", "another node follows the directory (" + follow.getString("owner") + ")"));
        }
        JsonObject position = reply.getJsonObject("position");
        Round round = new Round(follow.getString("state"), position);
        Future<String> outcome = "resync".equals(round.state) ? resync(follow, round) : round.run();
        return outcome
          .recover(failure -> {
            String message = "round failed, to go on at the next: " + UsergateException.from(failure).getMessage();
            LOG.warn("sync: following the directory ({}): {}", kind, message);
            return Future.succeededFuture(message);
          })
          .compose(message -> bus.apply(StoreAddresses.FOLLOW_RELEASE, new JsonObject().put("owner", owner).put("message", message))
            .map(released -> new JsonObject().put("ran", true).put("follow", released.getJsonObject("follow")).put("message", message)));
      });
  }

  /**
   * The delta link was refused: a walk that started after the refusal must have ended (done, or stopped by its
   * guard) before a fresh link is asked for; until then each round starts one, or waits for the one under way.
   */
  private Future<String> resync(JsonObject follow, Round round) {
    if (settings.listPath().isBlank()) {
      LOG.warn("sync: no sync.listPath to walk: the users deleted while the delta link was refused stay in the mirror");
      return resynced("a fresh delta link without a walk (no sync.listPath)", round);
    }
    Instant refusedAt = Instant.parse(follow.getString("lastResyncAt"));
    return bus.apply(StoreAddresses.WALK_STATUS, new JsonObject()).compose(walk -> {
      String started = walk.getString("startedAt");
      if (started != null && !Instant.parse(started).isBefore(refusedAt) && WALK_ENDED.contains(walk.getString("state"))) {
        return resynced("the resync's walk " + walk.getString("state") + ": " + walk.getString("message"), round);
      }
      return walker.start().map(start -> start.getBoolean("started")
        ? "resync: a full walk started (generation " + start.getJsonObject("walk").getLong("generation") + "), then a fresh delta link"
        : "resync: waiting for the walk under way: " + start.getString("message"));
    });
  }

  private Future<String> resynced(String why, Round round) {
    return bus.apply(StoreAddresses.FOLLOW_RESYNCED, new JsonObject().put("owner", owner).put("message", why)).compose(reply -> {
      if (!reply.getBoolean("held")) {
        return Future.succeededFuture("the follower's lease was lost during the resync");
      }
      LOG.info("sync: {}; a first delta round for a fresh link", why);
      round.state = "idle";
      round.cursor = null;
      round.keptLink = null;
      return round.run();
    });
  }

  /** One round from the stored position, page after page, each stored with the position after it. */
  private final class Round {

    String state;
    /** The next page to ask for: a link (a next or delta link), or null for the first page (at {@link #offset}). */
    String cursor;
    long offset;
    /** The delta link the follower had, kept until this round gives the next one. */
    String keptLink;
    final Instant since;
    final Instant startedAt;
    long pages;
    long users;
    long removed;
    boolean restarted;

    Round(String state, JsonObject position) {
      this.state = state;
      this.keptLink = position.getString("deltaLink");
      this.cursor = position.getString("nextCursor") != null ? position.getString("nextCursor") : keptLink;
      this.offset = position.getLong("nextOffset", 0L);
      String roundSince = position.getString("roundSince");
      String watermark = position.getString("watermark");
      this.since = roundSince != null ? Instant.parse(roundSince)
        : watermark != null ? Instant.parse(watermark).minusMillis(settings.changedSinceOverlapMs()) : Instant.EPOCH;
      this.startedAt = position.getString("roundStartedAt") != null ? Instant.parse(position.getString("roundStartedAt")) : Instant.now();
    }

    boolean delta() {
      return "delta".equals(kind);
    }

    Future<String> run() {
      if (stopping) {
        return Future.succeededFuture("undeployed after " + pages + " page(s) of the round, to go on from there");
      }
      JsonObject at = cursor != null ? new JsonObject().put("cursor", cursor) : new JsonObject().put("offset", offset);
      String requestId = owner + "/follow/" + (++calls);
      FetchMessages.Page page = delta() ? FetchMessages.Page.of(FetchMessages.Page.DELTA, null, at, settings.listPageSize(), requestId)
        : FetchMessages.Page.of(FetchMessages.Page.CHANGED_SINCE, since.toString(), at, settings.listPageSize(), requestId);
      return bus.apply(FetchAddresses.PAGE, page.toJson()).compose(answer -> {
        if (answer.getValue("refused") instanceof String refusal) {
          return refused(refusal);
        }
        return store(answer);
      });
    }

    private Future<String> refused(String refusal) {
      if (delta()) {
        String reason = "the directory refused the " + (cursor != null && cursor.equals(keptLink) ? "delta link" : "next link")
          + (state.equals("following") && cursor != null && cursor.equals(keptLink) ? "" : " of a first round") + " (" + refusal + ")";
        LOG.warn("sync: {}: a full walk, then a fresh delta link", reason);
        return bus.apply(StoreAddresses.FOLLOW_RESYNC, new JsonObject().put("owner", owner).put("reason", reason).put("leaseMs", settings.leaseMs()))
          .compose(reply -> reply.getBoolean("held") ? resync(reply.getJsonObject("follow"), this)
            : Future.succeededFuture("the follower's lease was lost at the refusal"));
      }
      if (restarted) {
        return Future.failedFuture(new IllegalStateException("the directory refused the changed-since list's cursor twice: " + refusal));
      }
      // The changed-since list's own cursor expired: the same round again from its first page.
      restarted = true;
      cursor = null;
      offset = 0;
      return run();
    }

    private Future<String> store(JsonObject answer) {
      JsonObject next = answer.getJsonObject("next");
      boolean end = next == null;
      String link = answer.getString("deltaLink");
      if (delta() && end && link == null) {
        return Future.failedFuture(new IllegalStateException("the last page of the delta round has no delta link at "
          + "sync.deltaLinkPointer"));
      }
      if (!answer.getJsonArray("problems").isEmpty()) {
        LOG.warn("sync: follower's page: {} entr(y/ies) are not users and are not stored: {}", answer.getInteger("invalid"),
          answer.getJsonArray("problems").encode());
      }
      JsonArray pageUsers = answer.getJsonArray("users");
      // Removed by the directory, or marked inactive under sync.inactive remove: either way gone from the mirror.
      JsonArray pageRemoved = answer.getJsonArray("removed", new JsonArray()).copy()
        .addAll(answer.getJsonArray("inactive", new JsonArray()));
      JsonObject commit = new JsonObject().put("owner", owner).put("users", pageUsers).put("removed", pageRemoved)
        .put("fetchedAt", Instant.now().toString()).put("leaseMs", settings.leaseMs())
        .put("state", end ? "following" : state)
        .put("nextCursor", end ? null : next.getString("cursor"))
        .put("nextOffset", end || next.getString("cursor") != null ? 0L : next.getLong("offset", 0L))
        .put("deltaLink", delta() ? (end ? link : keptLink) : null)
        .put("linkNew", delta() && end)
        .put("roundSince", delta() || end ? null : since.toString())
        .put("roundStartedAt", delta() || end ? null : startedAt.toString())
        .put("watermark", !delta() && end ? startedAt.toString() : null)
        .put("roundEnd", end);
      return bus.apply(StoreAddresses.FOLLOW_PAGE, commit).compose(stored -> {
        if (!stored.getBoolean("held")) {
          return Future.succeededFuture("the follower's lease was lost after " + pages + " page(s)");
        }
        pages++;
        users += pageUsers.size();
        removed += pageRemoved.size();
        Metrics.registry().ifPresent(registry -> {
          Counter.builder("usergate.sync.follow.pages").description("pages of the directory's changes the follower stored")
            .register(registry).increment();
          Counter.builder("usergate.sync.follow.users").description("users the follower stored (created or changed)")
            .register(registry).increment(pageUsers.size());
          Counter.builder("usergate.sync.follow.removed").description("users the follower removed (the directory said so)")
            .register(registry).increment(pageRemoved.size());
        });
        if (!end) {
          cursor = next.getString("cursor");
          offset = next.getLong("offset", 0L);
          return run();
        }
        String message = (delta() ? ("idle".equals(state) ? "first delta round" : "delta round") : "changed-since round from " + since)
          + ": " + pages + " page(s), " + users + " user(s) stored, " + removed + " removed";
        if (pages > 1 || users > 0 || removed > 0) {
          LOG.info("sync: {}", message);
        }
        return Future.succeededFuture(message);
      });
    }
  }
}
