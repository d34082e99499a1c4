package io.usergate.fetch;

import io.usergate.HeaderNames;
import io.usergate.bus.BusReplies.Reply;
import io.usergate.bus.SharedJsonCodec;
import io.usergate.cache.CacheSettings;
import io.usergate.cache.Freshness;
import io.usergate.cache.UserCache;
import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.usergate.log.RequestIds;
import io.usergate.metrics.Metrics;
import io.usergate.store.StoreAddresses;
import io.usergate.user.User;
import io.usergate.user.UserId;
import io.vertx.core.CompositeFuture;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

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
  /** The largest page of the directory's list one fetch.page asks for (sync.listPageSize's range). */
  static final int MAX_PAGE = 1000;

  /** Upstream failures after which {@code staleFallback} serves a stored copy instead. */
  private static final Set<ErrorCode> UPSTREAM_FAILURES =
    EnumSet.of(ErrorCode.UPSTREAM_TIMEOUT, ErrorCode.UPSTREAM_ERROR, ErrorCode.UPSTREAM_UNAVAILABLE);

  /** Requests under way that a caller named, so that it can cancel them. */
  private final CancellationRegistry cancellable = new CancellationRegistry();
  private UpstreamSettings settings;
  private AsyncSemaphore semaphore;
  private Upstream upstream;
  private WriteThrough writeThrough;
  private Coalescer<Long, User> coalescer;
  private Freshness freshness;
  private NotFoundMemory notFound;
  /** The node's user cache: this verticle writes it; the web, the store and this verticle read it. */
  private UserCache cache;
  private ClusterBudget budget;
  private RateShare rateShare;
  private final FetchMetrics metrics = new FetchMetrics();
  /** The directory's bulk endpoint, when upstream.batchPath names one. */
  private Batcher<Long, User> batcher;
  /** Ids whose stale copy was answered and whose background refresh runs: one refresh per id at a time. */
  private final Set<Long> refreshing = new HashSet<>();

  @Override
  public Future<?> start() {
    SharedJsonCodec.register(vertx);
    settings = UpstreamSettings.from(config());
    semaphore = new AsyncSemaphore(vertx, settings.maxConcurrent(), settings.maxQueued());
    // Checked before anything opens: a mapping that cannot be built fails the start, naming its key.
    Mapping mapping = Mapping.from(config());
    upstream = new Upstream(vertx, settings, mapping);
    writeThrough = new WriteThrough(vertx, settings.writeThroughDelayMs(), settings.writeThroughMinIntervalMs());
    coalescer = new Coalescer<>(this::upstreamCall);
    if (!settings.batchPath().isBlank()) {
      batcher = new Batcher<>(vertx, settings.batchDelayMs(), settings.maxBatchSize(), this::bulkCall);
    }
    CacheSettings cacheSettings = CacheSettings.from(config());
    freshness = Freshness.of(cacheSettings);
    notFound = new NotFoundMemory(cacheSettings.notFoundForMs(), System::currentTimeMillis);
    cache = UserCache.of(vertx, cacheSettings);
    if (settings.clusterBudget()) {
      rateShare = new RateShare(vertx, upstream, settings.maxRatePerSecond(), settings.maxBurst(),
        ClusterBudget.SETTLE_MS);
      budget = ClusterBudget.watch(vertx, this::share);
    }
    Metrics.registry().ifPresent(registry -> metrics.register(registry, semaphore, upstream, writeThrough));
    EventBus bus = vertx.eventBus();
    return Future.all(List.of(
        bus.consumer(FetchAddresses.ONE, message -> answerWithHeaders(message, this::one, UsergateException::from)).completion(),
        bus.consumer(FetchAddresses.MANY, message -> answer(message, this::many)).completion(),
        bus.consumer(FetchAddresses.PAGE, message -> answer(message, this::page)).completion(),
        bus.consumer(FetchAddresses.STATUS, message -> answer(message, body -> Future.succeededFuture(status()))).completion(),
        bus.<Object>consumer(FetchAddresses.CANCEL, message -> cancellable.cancel(message.body())).completion(),
        // The one invalidation path of the node's cache: every change of the mirror, whoever made it. The
        // copy goes unless it is what the change wrote (this node's own write-through, say).
        bus.consumer(StoreAddresses.USER_CHANGED, message -> cache.changed(message.body())).completion()))
      .onSuccess(v -> LOG.info("fetch: upstream {} ({}), at most {} in flight, {} queued, {} ms per attempt, {} retries",
        settings.baseUrl(), settings.headers(), settings.maxConcurrent(), settings.maxQueued(), settings.timeoutMs(),
        settings.retries()));
  }

  /** upstream.budget = cluster: this node's share of the totals, for the cluster as it is now. */
  private void share(ClusterBudget.Membership membership) {
    int permits = ClusterBudget.permitShare(settings.maxConcurrent(), membership.members());
    double rate = ClusterBudget.rateShare(settings.maxRatePerSecond(), membership);
    semaphore.resize(permits);
    rateShare.members(membership);
    LOG.info("fetch: {} node(s) share the upstream budget: this one (#{}) takes {} of {} in flight and {} of {} "
        + "requests a second{}", membership.members(), membership.position() + 1, permits, settings.maxConcurrent(),
      rate, settings.maxRatePerSecond(), rateShare.applied() == rate ? "" : " (a raise, after " + ClusterBudget.SETTLE_MS + " ms)");
  }

  @Override
  public Future<?> stop() {
    if (budget != null) {
      budget.close();
      rateShare.close();
    }
    // What was fetched reaches the store before the client (and then the store) goes away.
    return writeThrough.close().eventually(() -> upstream.close());
  }

  /** A user and how it was served: from the mirror or live, with its Cache-Status. */
  /**
   * A user's copy, when it was fetched from the upstream, and where this answer found it: {@link #MEMORY}
   * (the node's cache) or {@link #STORE} (the mirror's, read for this answer): {@code X-Usergate-Source}.
   */
  private record Copy(JsonObject user, Instant fetchedAt, String source) {

    static final String MEMORY = "memory";
    static final String STORE = "store";

    static Copy of(UserCache.Cached cached) {
      return new Copy(cached.user(), cached.fetchedAt(), MEMORY);
    }

    long ageMs(Instant now) {
      return Math.max(0, now.toEpochMilli() - fetchedAt.toEpochMilli());
    }
  }

  private record Served(User user, Copy copy, String cacheStatus, Instant fetchedAt) {

    /** From a copy: fetched when the copy was. */
    Served(User user, Copy copy, String cacheStatus) {
      this(user, copy, cacheStatus, copy == null ? Instant.now() : copy.fetchedAt());
    }

    Reply reply() {
      return copy != null
        ? new Reply(copy.user(), Map.of(HeaderNames.BUS_SOURCE, copy.source(),
            HeaderNames.BUS_FETCHED_AT, copy.fetchedAt().toString(), HeaderNames.BUS_CACHE_STATUS, cacheStatus))
        : new Reply(user.profile(), Map.of(HeaderNames.BUS_SOURCE, "upstream",
            HeaderNames.BUS_FETCHED_AT, fetchedAt.toString(), HeaderNames.BUS_CACHE_STATUS, cacheStatus));
    }

    boolean live() {
      return copy == null;
    }
  }

  private Future<Reply> one(JsonObject body) {
    long id = UserId.fromField(body, "id");
    boolean staleFallback = FetchAddresses.flag(body, FetchAddresses.STALE_FALLBACK, false);
    Freshness.Directives directives = Freshness.Directives.of(body);
    Cancellation cancellation = named(body);
    return mirror(List.of(id), directives)
      .compose(copies -> serve(id, copies.get(id), directives, cancellation)
        .map(served -> {
          if (served.live()) {
            writeThrough.add(List.of(served.user()), served.fetchedAt());
          }
          return served.reply();
        })
        .recover(failure -> {
          UsergateException error = UsergateException.from(failure);
          if (!staleFallback || !UPSTREAM_FAILURES.contains(error.code())) {
            return Future.failedFuture(error);
          }
          return staleFallback(id, copies.get(id), error);
        }))
      .andThen(done -> forget(body));
  }

  /** The upstream failed: a stored copy, of any age, is better than an error, and says where it came from. */
  private Future<Reply> staleFallback(long id, Copy known, UsergateException error) {
    Future<Copy> copy = known != null ? Future.succeededFuture(known)
      : vertx.eventBus().<JsonObject>request(StoreAddresses.GET, new JsonObject().put("id", id), RequestIds.with(SharedJsonCodec.sharedRequestOptions(vertx)))
          .map(stored -> new Copy(stored.body(), Instant.parse(stored.headers().get(HeaderNames.BUS_FETCHED_AT)), Copy.STORE));
    return copy
      .map(stored -> new Served(null, stored, "fwd=miss; detail=stale-fallback").reply())
      .otherwise(noCopy -> { throw error; });
  }

  /**
   * One id, from the mirror's copy when it is good enough for the caller, else live (shared with the
   * other callers of that id), or at once 404 when the upstream said so lately.
   */
  private Future<Served> serve(long id, Copy copy, Freshness.Directives directives, Cancellation cancellation) {
    Instant now = Instant.now();
    Freshness.Verdict judged = freshness.judge(copy == null ? -1 : copy.ageMs(now), directives);
    // The directory asked for a pause (Retry-After): a copy of any age is better than waiting it out.
    Freshness.Verdict verdict = judged == Freshness.Verdict.MISS && copy != null && upstream.paused()
      ? Freshness.Verdict.STALE : judged;
    freshness.count(verdict);
    switch (verdict) {
      case HIT:
        return Future.succeededFuture(new Served(User.of(copy.user()), copy, "hit"));
      case STALE:
        if (judged != verdict) {
          return Future.succeededFuture(new Served(User.of(copy.user()), copy, "hit; detail=upstream-paused"));
        }
        refreshInBackground(id);
        return Future.succeededFuture(new Served(User.of(copy.user()), copy, "hit; detail=stale-while-revalidate"));
      case NOT_CACHED:
        return Future.failedFuture(ErrorCode.NOT_CACHED.error("only-if-cached: the mirror has no copy of user " + id
          + (directives.maxAgeMs() == null ? "" : " younger than " + directives.maxAgeMs() + " ms"), id));
      default:
        if (verdict != Freshness.Verdict.BYPASS && notFound.isKnownMissing(id)) {
          return Future.failedFuture(ErrorCode.NOT_FOUND.error("the upstream has no user " + id
            + " (it said so less than cache.notFoundForMs ago)", id));
        }
        String status = verdict == Freshness.Verdict.BYPASS ? "fwd=request" : copy == null ? "fwd=miss" : "fwd=stale";
        return coalescer.get(id, cancellation).map(user -> new Served(user, null, status, fetchedAt(id, user)));
    }
  }

  /** When {@code user}, just fetched, was: the time the cache keeps it with, so that every answer says the same. */
  private Instant fetchedAt(long id, User user) {
    UserCache.Cached cached = cache.get(id);
    return cached != null && cached.contentHash() == user.profile().hashCode() ? cached.fetchedAt() : Instant.now();
  }

  /** A stale copy was answered: refresh it, once per id at a time, like any other upstream call. */
  private void refreshInBackground(long id) {
    if (!refreshing.add(id)) {
      return;
    }
    coalescer.get(id, new Cancellation())
      .onSuccess(user -> writeThrough.add(List.of(user), Instant.now()))
      .onFailure(failure -> LOG.debug("fetch: background refresh of user {} failed: {}", id, failure.getMessage()))
      .onComplete(done -> refreshing.remove(id));
  }

  /**
   * The newest copies known of {@code ids}, when the caller's directives and the cache settings make them
   * useful: the hot copies in memory, and the mirror's for the ids whose hot copy is missing or not fresh
   * enough (one read for all of them). A hit therefore costs no mirror read at all.
   */
  private Future<Map<Long, Copy>> mirror(List<Long> ids, Freshness.Directives directives) {
    if (!freshness.consultsMirror(directives)) {
      return Future.succeededFuture(Map.of());
    }
    Instant now = Instant.now();
    Map<Long, Copy> copies = new HashMap<>();
    List<Long> unsure = new ArrayList<>();
    for (long id : ids) {
      UserCache.Cached cached = cache.get(id);
      Copy copy = cached == null ? null : Copy.of(cached);
      if (copy != null) {
        copies.put(id, copy);
      }
      if (copy == null || freshness.judge(copy.ageMs(now), directives) != Freshness.Verdict.HIT) {
        unsure.add(id);
      }
    }
    if (unsure.isEmpty()) {
      return Future.succeededFuture(copies);
    }
    long stamp = cache.stamp();
    return vertx.eventBus().<JsonObject>request(StoreAddresses.GET_MANY, new JsonObject().put("ids", new JsonArray(unsure)),
        RequestIds.with(SharedJsonCodec.sharedRequestOptions(vertx)))
      .map(reply -> {
        reply.body().getJsonArray("users").forEach(entry -> {
          JsonObject stored = (JsonObject) entry;
          JsonObject user = stored.getJsonObject("user");
          long id = user.getLong("id");
          Copy copy = new Copy(user, Instant.parse(stored.getString("fetchedAt")), Copy.STORE);
          cache.offer(id, copy.user(), copy.fetchedAt(), stamp);
          copies.merge(id, copy, (known, read) -> read.fetchedAt().isAfter(known.fetchedAt()) ? read : known);
        });
        return copies;
      })
      .recover(failure -> {
        if (directives.onlyIfCached()) {
          return Future.failedFuture(failure);
        }
        // The mirror is a shortcut: without it, what memory holds, or else the upstream, answers.
        LOG.debug("fetch: mirror read failed, fetching live: {}", failure.getMessage());
        return Future.succeededFuture(copies);
      });
  }

  private Cancellation named(JsonObject body) {
    return cancellable.register(body);
  }

  private void forget(JsonObject body) {
    cancellable.forget(body);
  }

  private Future<JsonObject> many(JsonObject body) {
    List<Long> ids = UserId.listFromField(body, "ids", settings.maxIdsPerRequest());
    Object mode = body.getValue("mode", FetchAddresses.MODE_ALL);
    if (!FetchAddresses.MODE_ALL.equals(mode) && !FetchAddresses.MODE_SETTLED.equals(mode)) {
      throw ErrorCode.BAD_REQUEST.error("mode must be \"all\" or \"settled\", not " + mode);
    }
    boolean all = FetchAddresses.MODE_ALL.equals(mode);
    boolean write = FetchAddresses.flag(body, FetchAddresses.WRITE_THROUGH, true);
    Freshness.Directives directives = Freshness.Directives.of(body);
    Instant started = Instant.now();
    Cancellation cancellation = named(body);
    List<Long> distinct = new ArrayList<>(new LinkedHashSet<>(ids));
    // The hits of the whole list in one read; only the misses go upstream.
    return mirror(distinct, directives).compose(copies -> {
      // An id asked for twice is fetched once and answered in each of its places.
      Map<Long, Future<User>> byId = new LinkedHashMap<>();
      List<Future<Served>> served = new ArrayList<>();
      for (long id : distinct) {
        Future<Served> one = serve(id, copies.get(id), directives, cancellation);
        served.add(one);
        byId.put(id, one.map(Served::user));
      }
      List<Future<User>> unique = new ArrayList<>(byId.values());
      // "all" fails on the first failure and cancels the rest; "settled" waits for every outcome, each one an answer.
      Future<CompositeFuture> outcome = all
        ? Future.all(unique).onFailure(failure -> cancellation.cancel())
        : Future.join(unique).otherwiseEmpty();
      return outcome
        .andThen(done -> {
          if (write) {
            // Read from the served futures themselves, all complete by now (a future derived from them
            // might not be yet): only what came live is written through.
            writeThrough.add(served.stream().filter(one -> one.succeeded() && one.result().live())
              .map(one -> one.result().user()).collect(Collectors.toList()), started);
          }
        })
        .map(done -> all ? usersReply(ids, byId) : settledReply(ids, byId));
    }).andThen(done -> forget(body));
  }

  /**
   * One page of the directory's list for the walk, under a permit like every upstream call; nothing is
   * written through (the walk stores the page with its position, in one transaction).
   */
  private Future<JsonObject> page(JsonObject body) {
    if (settings.listPath().isBlank()) {
      throw ErrorCode.BAD_REQUEST.error("the directory has no paged list: set sync.listPath");
    }
    Object offset = body.getValue("offset");
    Object limit = body.getValue("limit");
    if (!(offset instanceof Integer || offset instanceof Long) || ((Number) offset).longValue() < 0) {
      throw ErrorCode.BAD_REQUEST.error("offset must be an integer ≥ 0, not " + User.describe(offset));
    }
    if (!(limit instanceof Integer size) || size < 1 || size > MAX_PAGE) {
      throw ErrorCode.BAD_REQUEST.error("limit must be an integer from 1 to " + MAX_PAGE + ", not " + User.describe(limit));
    }
    Cancellation cancellation = named(body);
    return underPermit(cancellation, waitDeadline -> upstream.fetchPage(((Number) offset).longValue(), size, cancellation, waitDeadline))
      .map(page -> {
        // Fresh from the directory, like any live fetch: the walk stores them, and this node's hits may use them.
        Instant fetchedAt = Instant.now();
        page.users().forEach(user -> cache.offer(user.id(), user.profile(), fetchedAt));
        return page.toJson();
      })
      .andThen(done -> forget(body));
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

  /**
   * The one upstream call the coalescer shares between the callers of an id: a permit, then the upstream.
   * A 404 also clears the write-through's memory of the user, before any caller hears of it.
   */
  /** One GET for one user, under a permit. */
  private Future<User> singleCall(long id, Cancellation cancellation) {
    return underPermit(cancellation, waitDeadline -> upstream.fetchUser(id, cancellation, waitDeadline));
  }

  /**
   * {@code call} once a permit is held, given the deadline of its waits ({@code upstream.queueTimeoutMs}
   * from now, permit included). The permit goes back on the next tick, once the callers have heard the
   * result: a failure in "all" mode then cancels the queued siblings before one of them could take it.
   */
  private <T> Future<T> underPermit(Cancellation cancellation, LongFunction<Future<T>> call) {
    long waitDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.queueTimeoutMs());
    return semaphore.acquire(settings.queueTimeoutMs(), cancellation)
      .compose(permit -> {
        if (cancellation.isCancelled()) {
          permit.release();
          return Future.failedFuture(new CancelledException());
        }
        return call.apply(waitDeadline).andThen(done -> vertx.runOnContext(v -> permit.release()));
      });
  }

  private Future<User> upstreamCall(long id, Cancellation cancellation) {
    Future<User> fetched = batcher != null ? batcher.load(id, cancellation) : singleCall(id, cancellation);
    return fetched
      .andThen(done -> {
        if (done.succeeded()) {
          notFound.forget(id);
          cache.offer(id, done.result().profile(), Instant.now());
        } else if (done.cause() instanceof UsergateException error && error.code() == ErrorCode.NOT_FOUND) {
          writeThrough.forget(id);
          notFound.remember(id);
          cache.drop(id);
        }
        metrics.upstreamCall(done.cause());
      });
  }

  /** One bulk call for the ids a {@link Batcher} gathered: one permit (and, in Upstream, one rate token) for all. */
  private Future<Map<Long, Outcome<User>>> bulkCall(List<Long> ids, Cancellation cancellation) {
    metrics.batch(ids.size());
    return underPermit(cancellation, waitDeadline -> upstream.fetchUsers(ids, cancellation, waitDeadline));
  }

  private JsonObject status() {
    return new JsonObject()
      .put("maxIdsPerRequest", settings.maxIdsPerRequest())
      .put("maxConcurrent", semaphore.permits())
      .put("inFlight", semaphore.inFlight())
      .put("queued", semaphore.queued())
      .put("available", semaphore.available())
      .put("sharedCalls", coalescer.size())
      .put("refreshing", refreshing.size())
      .put("knownMissing", notFound.size())
      .put("cachedUsers", cache.size())
      .put("paused", upstream.paused())
      .put("pausedMs", upstream.pause().remainingMs())
      .put("maxRatePerSecond", upstream.limiter().rate())
      .put("rateLimit", upstream.budget().status())
      .put("breaker", upstream.breakerState().name())
      .put("breakerSince", upstream.breakerSince().toString())
      .put("breakerFailures", upstream.breakerFailures())
      .put("writeThrough", writeThrough.status());
  }
}
