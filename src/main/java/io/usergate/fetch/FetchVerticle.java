package io.usergate.fetch;

import io.usergate.auth.ApiKeys;
import io.usergate.auth.Caller;
import io.usergate.auth.JwtCallers;
import io.usergate.bus.BusReplies.Reply;
import io.usergate.bus.SharedJsonCodec;
import io.usergate.cache.CacheSettings;
import io.usergate.cache.Freshness;
import io.usergate.cache.UserCache;
import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.usergate.fetch.KnownCopies.Copy;
import io.usergate.metrics.Metrics;
import io.usergate.store.StoreAddresses;
import io.usergate.user.ActiveRule;
import io.usergate.user.User;
import io.vertx.core.CompositeFuture;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
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
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

import static io.usergate.bus.BusReplies.answer;
import static io.usergate.bus.BusReplies.answerWithHeaders;

/**
 * Fetches users from the upstream in parallel: at most {@code upstream.maxConcurrent} requests in flight,
 * shared fairly between the callers named in the requests (a {@link FairQueue}), concurrent requests for one id sharing one upstream call (a
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
  private final CancellationRegistry cancellable = new CancellationRegistry();
  private UpstreamSettings settings;
  /** The permits of upstream calls, each caller's waiters in a queue of their own. */
  private FairQueue permits;
  private Upstream upstream;
  private Mapping mapping;
  private WriteThrough writeThrough;
  private Coalescer<String, Fetched> coalescer;
  private Freshness freshness;
  private KnownCopies copies;
  private NotFoundMemory notFound;
  /** The node's user cache: this verticle writes it; the web, the store and this verticle read it. */
  private UserCache cache;
  private ClusterBudget budget;
  private RateShare rateShare;
  /** The callers with a queue of their own (auth.callers, the token, anonymous). */
  private Set<String> configuredCallers = Set.of();
  private final FetchMetrics metrics = new FetchMetrics();
  /** The directory's bulk endpoint, when upstream.batchPath names one. */
  private Batcher<String, User> batcher;
  /** Ids whose stale copy was answered and whose background refresh runs: one refresh per id at a time. */
  private final Set<String> refreshing = new HashSet<>();

  @Override
  public Future<?> start() {
    SharedJsonCodec.register(vertx);
    settings = UpstreamSettings.from(config());
    permits = new FairQueue(vertx, settings.maxConcurrent(), shares());
    // Checked before anything opens: a mapping that cannot be built fails the start, naming its key.
    mapping = Mapping.from(config());
    upstream = new Upstream(vertx, settings, mapping);
    writeThrough = new WriteThrough(vertx, settings.writeThroughDelayMs(), settings.writeThroughMinIntervalMs());
    coalescer = new Coalescer<>((id, caller, cancellation) -> upstreamCall(id, null, caller, cancellation));
    if (!settings.batchPath().isBlank()) {
      batcher = new Batcher<>(vertx, settings.batchDelayMs(), settings.maxBatchSize(), this::bulkCall);
    }
    CacheSettings cacheSettings = CacheSettings.from(config());
    freshness = Freshness.of(cacheSettings);
    notFound = new NotFoundMemory(cacheSettings.notFoundForMs(), System::currentTimeMillis);
    cache = UserCache.of(vertx, cacheSettings);
    // Reading the mirror for a validator is worth it only where a call can carry one: single reads.
    copies = new KnownCopies(vertx, cache, freshness, () -> batcher == null);
    if (settings.clusterBudget()) {
      rateShare = new RateShare(vertx, upstream, settings.maxRatePerSecond(), settings.maxBurst(),
        ClusterBudget.SETTLE_MS);
      budget = ClusterBudget.watch(vertx, this::share);
    }
    Metrics.registry().ifPresent(registry -> metrics.register(registry, permits, upstream, writeThrough));
    EventBus bus = vertx.eventBus();
    return Future.all(List.of(
        bus.consumer(FetchAddresses.ONE, message -> answerWithHeaders(message, this::one, UsergateException::from)).completion(),
        bus.consumer(FetchAddresses.MANY, message -> answer(message, this::many)).completion(),
        bus.consumer(FetchAddresses.PAGE, message -> answer(message, this::page)).completion(),
        bus.consumer(FetchAddresses.STATUS, message -> answer(message, body -> Future.succeededFuture(status()))).completion(),
        bus.<Object>consumer(FetchAddresses.CANCEL, message -> cancellable.cancel(FetchMessages.Cancel.fromBody(message.body()))).completion(),
        // The one invalidation path of the node's cache: every change of the mirror, whoever made it. The
        // copy goes unless it is what the change wrote (this node's own write-through, say).
        bus.consumer(StoreAddresses.USER_CHANGED, message -> cache.changed(message.body())).completion()))
      .onSuccess(v -> LOG.info("fetch: upstream {} ({}, {}), at most {} in flight, {} queued, {} ms per attempt, {} retries",
        settings.baseUrl(), settings.headers(), settings.token() == null ? "no token" : settings.token(),
        settings.maxConcurrent(), settings.maxQueued(), settings.timeoutMs(),
        settings.retries()));
  }

  /** upstream.budget = cluster: this node's share of the totals, for the cluster as it is now. */
  private void share(ClusterBudget.Membership membership) {
    int permits = ClusterBudget.permitShare(settings.maxConcurrent(), membership.members());
    double rate = ClusterBudget.rateShare(settings.maxRatePerSecond(), membership);
    this.permits.resize(permits);
    rateShare.members(membership);
    LOG.info("fetch: {} node(s) share the upstream budget: this one (#{}) takes {} of {} in flight and {} of {} "
        + "requests a second{}", membership.members(), membership.position() + 1, permits, settings.maxConcurrent(),
      rate, settings.maxRatePerSecond(), rateShare.applied() == rate ? "" : " (a raise, after " + ClusterBudget.SETTLE_MS + " ms)");
  }

  /**
   * Each caller's share of the permits: a configured caller's {@code weight} and {@code maxQueued} (0: as
   * {@code upstream.maxQueued}), from {@code auth.callers}; weight 1 and {@code upstream.maxQueued} for the
   * anonymous queue, the {@code auth.token} caller and the JWT callers not in {@code auth.callers} ({@code jwt}).
   */
  private Function<String, FairQueue.Share> shares() {
    FairQueue.Share everyone = new FairQueue.Share(1, settings.maxQueued());
    Map<String, FairQueue.Share> byName = new HashMap<>();
    byName.put(FetchAddresses.ANONYMOUS, everyone);
    byName.put(ApiKeys.TOKEN_CALLER, everyone);
    byName.put(JwtCallers.JWT_CALLER, everyone);
    Object callers = config().getJsonObject("auth", new JsonObject()).getValue("callers");
    if (callers != null) {
      for (ApiKeys.Keyed keyed : ApiKeys.parse(callers)) {
        Caller caller = keyed.caller();
        byName.put(caller.name(), new FairQueue.Share(caller.weight(),
          caller.maxQueued() > 0 ? caller.maxQueued() : settings.maxQueued()));
      }
    }
    configuredCallers = Set.copyOf(byName.keySet());
    return caller -> byName.getOrDefault(caller, everyone);
  }

  /**
   * The queue a request waits in: its caller's when the caller is configured, else the anonymous one, so that
   * names nobody configured (a bus sender's invention) cannot make queues without end.
   */
  private String queueOf(String caller) {
    return configuredCallers.contains(caller) ? caller : FetchAddresses.ANONYMOUS;
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

  /** How one id was answered: from a copy (with its Cache-Status), or live ({@code fetched}: what the call brought). */
  private record Served(User user, Copy copy, String cacheStatus, Instant fetchedAt, Fetched fetched) {

    /** From a copy: fetched when the copy was. */
    Served(User user, Copy copy, String cacheStatus) {
      this(user, copy, cacheStatus, copy.fetchedAt(), null);
    }

    /** Live: a 304 says so in its Cache-Status (RFC 9211's fwd-status), the copy it confirmed being the answer. */
    Served(Fetched fetched, String cacheStatus, Instant fetchedAt) {
      this(fetched.user(), null, fetched.notModified() ? cacheStatus + "; fwd-status=304" : cacheStatus, fetchedAt, fetched);
    }

    FetchMessages.OneReply reply() {
      return copy != null
        ? new FetchMessages.OneReply(copy.user(), copy.source(), copy.fetchedAt(), cacheStatus)
        : new FetchMessages.OneReply(user.profile(), FetchMessages.OneReply.UPSTREAM, fetchedAt, cacheStatus);
    }

    boolean live() {
      return copy == null;
    }
  }

  private Future<Reply> one(JsonObject body) {
    FetchMessages.One request = FetchMessages.One.fromJson(body);
    String id = request.id();
    Cancellation cancellation = cancellable.register(request.requestId());
    return copies.find(List.of(id), request.directives())
      .compose(found -> serve(id, found.get(id), request.directives(), queueOf(request.caller()), cancellation)
        .map(served -> {
          if (served.live()) {
            writeThrough.add(List.of(served.fetched()), served.fetchedAt());
          }
          return served.reply();
        })
        .recover(failure -> {
          UsergateException error = UsergateException.from(failure);
          removeIfInactive(id, error);
          if (!request.staleFallback() || !UPSTREAM_FAILURES.contains(error.code())) {
            return Future.failedFuture(error);
          }
          // The upstream failed: a stored copy, of any age, is better than an error, and says where it came from.
          return copies.stored(id, found.get(id))
            .map(stored -> new Served(null, stored, FetchMessages.OneReply.STALE_FALLBACK_STATUS).reply())
            .otherwise(noCopy -> { throw error; });
        }))
      .map(FetchMessages.OneReply::toReply)
      .andThen(done -> cancellable.forget(request.requestId()));
  }

  /**
   * One id, from the mirror's copy when it is good enough for the caller, else live (shared with the
   * other callers of that id), or at once 404 when the upstream said so lately. A miss waits in {@code caller}'s
   * queue.
   */
  private Future<Served> serve(String id, Copy copy, Freshness.Directives directives, String caller,
                               Cancellation cancellation) {
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
        refreshInBackground(id, copy, caller);
        return Future.succeededFuture(new Served(User.of(copy.user()), copy, "hit; detail=stale-while-revalidate"));
      case NOT_CACHED:
        return Future.failedFuture(ErrorCode.NOT_CACHED.error("only-if-cached: the mirror has no copy of user " + id
          + (directives.maxAgeMs() == null ? "" : " younger than " + directives.maxAgeMs() + " ms"), id));
      default:
        if (verdict != Freshness.Verdict.BYPASS && notFound.isKnownMissing(id)) {
          String why = notFound.isKnownInactive(id) ? mapping.inactiveError(id).getMessage() : "the upstream has no user " + id;
          return Future.failedFuture(ErrorCode.NOT_FOUND.error(why + " (it said so less than cache.notFoundForMs ago)", id));
        }
        String status = verdict == Freshness.Verdict.BYPASS ? "fwd=request" : copy == null ? "fwd=miss" : "fwd=stale";
        return live(id, copy, caller, cancellation).map(fetched -> new Served(fetched, status, fetchedAt(id, fetched.user())));
    }
  }

  /** When {@code user}, just fetched, was: the time the cache keeps it with, so that every answer says the same. */
  private Instant fetchedAt(String id, User user) {
    UserCache.Cached cached = cache.get(id);
    return cached != null && cached.contentHash() == user.profile().hashCode() ? cached.fetchedAt() : Instant.now();
  }

  /**
   * A live answer for {@code id}, shared with the other callers of the id. A {@code copy} with the directory's
   * ETag is revalidated (If-None-Match): a 304 confirms it, no body read. The bulk endpoint has no ETag: with one,
   * every miss goes there as before.
   */
  private Future<Fetched> live(String id, Copy copy, String caller, Cancellation cancellation) {
    if (batcher != null || copy == null || copy.upstreamEtag() == null) {
      return coalescer.get(id, caller, cancellation);
    }
    return coalescer.get(id, caller, cancellation, (key, who, shared) -> upstreamCall(key, copy, who, shared));
  }

  /** A stale copy was answered: refresh it, once per id at a time, like any other upstream call of {@code caller}. */
  private void refreshInBackground(String id, Copy copy, String caller) {
    if (!refreshing.add(id)) {
      return;
    }
    live(id, copy, caller, new Cancellation())
      .onSuccess(fetched -> writeThrough.add(List.of(fetched), Instant.now()))
      .onFailure(failure -> {
        removeIfInactive(id, failure);
        LOG.debug("fetch: background refresh of user {} failed: {}", id, failure.getMessage());
      })
      .onComplete(done -> refreshing.remove(id));
  }

  private Future<JsonObject> many(JsonObject body) {
    FetchMessages.Many request = FetchMessages.Many.fromJson(body, settings.maxIdsPerRequest());
    Freshness.Directives directives = request.directives();
    Instant started = Instant.now();
    Cancellation cancellation = cancellable.register(request.requestId());
    List<String> distinct = new ArrayList<>(new LinkedHashSet<>(request.ids()));
    // The hits of the whole list in one read; only the misses go upstream.
    return copies.find(distinct, directives).compose(found -> {
      // An id asked for twice is fetched once and answered in each of its places.
      Map<String, Future<Served>> byId = new LinkedHashMap<>();
      for (String id : distinct) {
        byId.put(id, serve(id, found.get(id), directives, queueOf(request.caller()), cancellation));
      }
      List<Future<Served>> unique = new ArrayList<>(byId.values());
      // "all" fails on the first failure and cancels the rest; "settled" waits for every outcome, each one an answer.
      Future<CompositeFuture> outcome = request.settled()
        ? Future.join(unique).otherwiseEmpty()
        : Future.all(unique).onFailure(failure -> cancellation.cancel());
      return outcome
        .andThen(done -> {
          if (request.writeThrough()) {
            // Read from the served futures themselves, all complete by now (a future derived from them
            // might not be yet): only what came live is written through.
            writeThrough.add(unique.stream().filter(one -> one.succeeded() && one.result().live())
              .map(one -> one.result().fetched()).collect(Collectors.toList()), started);
            byId.forEach((id, one) -> {
              if (one.failed()) {
                removeIfInactive(id, one.cause());
              }
            });
          }
        })
        .map(done -> request.settled()
          ? FetchMessages.settledReply(request.ids().stream().map(id -> result(id, byId.get(id), !request.writeThrough())).toList())
          : FetchMessages.usersReply(request.ids().stream().map(id -> byId.get(id).result().user().profile()).toList()));
    }).andThen(done -> cancellable.forget(request.requestId()));
  }

  /** {@code validators}: the sender stores the users itself, so a live one comes with its ETag and whether it was a 304. */
  private static FetchMessages.Result result(String id, Future<Served> outcome, boolean validators) {
    if (outcome.failed()) {
      return FetchMessages.Result.failed(id, UsergateException.from(outcome.cause()));
    }
    Served served = outcome.result();
    Fetched fetched = validators ? served.fetched() : null;
    return fetched == null ? new FetchMessages.Result(id, served.user().profile(), null)
      : new FetchMessages.Result(id, served.user().profile(), null, fetched.etag(), fetched.notModified());
  }

  /**
   * One page of the directory's list for the walk, under a permit like every upstream call; nothing is
   * written through (the walk stores the page with its position, in one transaction). Asked for by
   * {@code offset}, or by the {@code cursor} an earlier page gave ({@code sync.listNext} link, url, token). The
   * follower's pages (the delta query, the changed-since list) come the same way, so the permits, the rate, the
   * directory's token and the deadlines are theirs too.
   */
  private Future<JsonObject> page(JsonObject body) {
    FetchMessages.Page request = FetchMessages.Page.fromJson(body);
    String feed = request.feed();
    String path = switch (feed) {
      case FetchMessages.Page.DELTA -> settings.deltaPath();
      case FetchMessages.Page.CHANGED_SINCE -> settings.changedSincePath();
      default -> settings.listPath();
    };
    if (path.isBlank()) {
      throw ErrorCode.BAD_REQUEST.error(switch (feed) {
        case FetchMessages.Page.DELTA -> "the directory has no delta query: set sync.deltaPath";
        case FetchMessages.Page.CHANGED_SINCE -> "the directory has no changed-since list: set sync.changedSincePath";
        default -> "the directory has no paged list: set sync.listPath";
      });
    }
    // The delta query pages by the links it gives (url); the others as sync.listNext says.
    boolean positional = !FetchMessages.Page.DELTA.equals(feed) && ListPaging.Mode.of(settings.listNext()).positional();
    if (request.byCursor() && positional) {
      throw ErrorCode.BAD_REQUEST.error("sync.listNext is " + settings.listNext() + ": a page is asked for by its offset, not a cursor");
    }
    if (!request.byCursor() && request.offset() > 0 && !positional) {
      throw ErrorCode.BAD_REQUEST.error((FetchMessages.Page.DELTA.equals(feed) ? "the delta query" : "sync.listNext is " + settings.listNext())
        + ": a page after the first is asked for by the cursor the page before gave");
    }
    Instant since = request.since() == null ? null : Instant.parse(request.since());
    String requestId = request.requestId();
    Cancellation cancellation = cancellable.register(requestId);
    // The walk's pages: the sync's, which names no caller.
    return underPermit(FetchAddresses.ANONYMOUS, cancellation, waitDeadline -> upstream.fetchPage(feed, since, request.position(), request.limit(), cancellation, waitDeadline))
      .map(answer -> {
        if (answer instanceof Upstream.PageAnswer.Refused refused) {
          return new JsonObject().put("refused", refused.message());
        }
        ListPage page = ((Upstream.PageAnswer.Listed) answer).page();
        // Fresh from the directory, like any live fetch: the walk stores them, and this node's hits may use them.
        Instant fetchedAt = Instant.now();
        page.users().forEach(user -> cache.offer(user.id(), user.profile(), fetchedAt));
        // The walk removes these from the mirror with the page; until then no copy of them is served here.
        page.inactive().forEach(id -> {
          cache.drop(id);
          notFound.remember(id, true);
        });
        return page.toJson();
      })
      .andThen(done -> cancellable.forget(requestId));
  }

  /**
   * The one upstream call the coalescer shares between the callers of an id: a permit, then the upstream.
   * A 404 also clears the write-through's memory of the user, before any caller hears of it.
   */
  /** One GET for one user (conditional when {@code known} has an ETag), under a permit of {@code caller}'s. */
  private Future<Fetched> singleCall(String id, Copy known, String caller, Cancellation cancellation) {
    return underPermit(caller, cancellation, waitDeadline -> upstream.fetchUser(id, known, cancellation, waitDeadline));
  }

  /**
   * {@code call} once a permit is held (in {@code caller}'s turn), given the deadline of its waits ({@code upstream.queueTimeoutMs}
   * from now, permit included). The permit goes back on the next tick, once the callers have heard the
   * result: a failure in "all" mode then cancels the queued siblings before one of them could take it.
   */
  private <T> Future<T> underPermit(String caller, Cancellation cancellation, LongFunction<Future<T>> call) {
    long waitDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.queueTimeoutMs());
    return permits.acquire(caller, settings.queueTimeoutMs(), cancellation)
      .compose(permit -> {
        if (cancellation.isCancelled()) {
          permit.release();
          return Future.failedFuture(new CancelledException());
        }
        return call.apply(waitDeadline).andThen(done -> vertx.runOnContext(v -> permit.release()));
      });
  }

  private Future<Fetched> upstreamCall(String id, Copy known, String caller, Cancellation cancellation) {
    Future<Fetched> fetched = batcher != null ? batcher.load(id, caller, cancellation).map(Fetched::of)
      : singleCall(id, known, caller, cancellation);
    return fetched
      .andThen(done -> {
        if (done.succeeded()) {
          notFound.forget(id);
          // A 304 renews the copy it confirmed: the same content, fetched now.
          cache.offer(id, done.result().user().profile(), Instant.now(), done.result().etag());
        } else if (done.cause() instanceof UsergateException error && error.code() == ErrorCode.NOT_FOUND) {
          writeThrough.forget(id);
          notFound.remember(id, ActiveRule.isInactive(error));
          cache.drop(id);
        }
        metrics.upstreamCall(done.cause(), done.succeeded() && done.result().notModified());
      });
  }

  /**
   * Where a fetch writes through, a user the directory marks inactive under {@code sync.inactive} remove is
   * removed from the mirror, through the store's one writer (the feed says removed, every node drops its copy).
   * Not on the sync's own fetches (no write-through): its batch removes them with their jobs, in one transaction.
   */
  private void removeIfInactive(String id, Throwable failure) {
    if (ActiveRule.isInactive(failure)) {
      writeThrough.remove(id);
    }
  }

  /** One bulk call for the ids a {@link Batcher} gathered: one permit (and, in Upstream, one rate token) for all. */
  private Future<Map<String, Outcome<User>>> bulkCall(List<String> ids, String caller, Cancellation cancellation) {
    metrics.batch(ids.size());
    return underPermit(caller, cancellation, waitDeadline -> upstream.fetchUsers(ids, cancellation, waitDeadline));
  }

  private JsonObject status() {
    return new JsonObject()
      .put("maxIdsPerRequest", settings.maxIdsPerRequest())
      .put("maxConcurrent", permits.permits())
      .put("inFlight", permits.inFlight())
      .put("queued", permits.queued())
      .put("waitingCallers", permits.waitingCallers())
      .put("available", permits.available())
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
      .put("writeThrough", writeThrough.status())
      .put("token", upstream.tokenStatus());
  }
}
