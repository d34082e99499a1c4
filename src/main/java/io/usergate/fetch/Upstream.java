package io.usergate.fetch;

import io.usergate.HeaderNames;
import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.usergate.log.RequestIds;
import io.usergate.retry.Backoff;
import io.usergate.user.User;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.FailurePolicy;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The only code that talks to the upstream directory: one {@code GET} per user, with a deadline on each
 * attempt (connection wait included) that resets the request when it passes, a body limit that resets it
 * as soon as the answer grows past {@code upstream.maxBodyBytes}, retries of 5xx, 429 and refused
 * connections with exponential backoff and jitter ({@link Backoff}), and a circuit breaker whose
 * {@link FailurePolicy} tells a failing upstream from an answer that is not a user.
 */
final class Upstream implements RateShare.Paced {

  private static final Logger LOG = LoggerFactory.getLogger(Upstream.class);
  private static final long MAX_BACKOFF_MS = 2000;

  /** The upstream answered with a status worth retrying (5xx, 429). */
  private static final class RetryableStatus extends RuntimeException {
    final int status;

    RetryableStatus(int status) {
      super("upstream answered " + status, null, false, false);
      this.status = status;
    }
  }

  /**
   * The request of an attempt, once there is one, so that a deadline or a cancellation can reset it; an
   * attempt abandoned before its request exists resets the request when it comes.
   */
  private static final class Attempt {
    private HttpClientRequest request;
    private boolean abandoned;

    /** The request to send, or a failure when the attempt was abandoned while it waited for a connection. */
    Future<HttpClientRequest> started(HttpClientRequest request) {
      this.request = request;
      // A failure of the request reaches the caller through send()'s future; a reset of ours (deadline,
      // cancellation) before the request was sent whole would otherwise be logged as an error by Vert.x.
      request.exceptionHandler(seenThroughTheResponse -> { });
      if (abandoned) {
        // Never sent: the reset gives its connection back.
        request.reset();
        return Future.failedFuture(new CancelledException());
      }
      return Future.succeededFuture(request);
    }

    void abandon() {
      abandoned = true;
      reset();
    }

    void reset() {
      if (request != null) {
        request.reset();
      }
    }
  }

  /**
   * One kind of upstream GET: its URI, the id its errors name (none for a bulk call), and how its answer
   * (status, body) becomes a result, or throws the contract's error ({@link RetryableStatus} to retry).
   */
  private record Call<T>(String uri, Long id, Parser<T> parse) {

    UsergateException error(ErrorCode code, String message) {
      return id == null ? code.error(message) : code.error(message, id);
    }
  }

  /** How an answer becomes a call's result. */
  @FunctionalInterface
  private interface Parser<T> {
    T parse(int status, io.vertx.core.MultiMap headers, Buffer body);
  }

  private final Vertx vertx;
  private final Mapping mapping;
  /** upstream.headers: on every request; their values appear nowhere else. */
  private final UpstreamHeaders headers;
  private final HttpClient client;
  private final CircuitBreaker breaker;
  private final boolean breakerEnabled;
  private final String basePath;
  private final String userPath;
  private final long timeoutMs;
  private final int retries;
  private final Backoff backoff;
  private final long maxBodyBytes;
  /** The bulk endpoint's template ({@code upstream.batchPath}), null when the directory has none. */
  private final io.vertx.uritemplate.UriTemplate batchPath;
  private final String batchPathTemplate;
  /** The directory's paged list ({@code sync.listPath}), null when it has none. */
  private final io.vertx.uritemplate.UriTemplate listPath;
  private final RateLimiter limiter;
  private final WriteSpacing writes;
  private final UpstreamPause pause;
  /** When the breaker last changed state (its creation, for the first CLOSED). */
  private Instant breakerSince = Instant.now();
  /** Bumped each time the breaker opens: a call started before then must not close it by a late success. */
  private long breakerGeneration;

  Upstream(Vertx vertx, UpstreamSettings settings, Mapping mapping) {
    this.vertx = vertx;
    this.mapping = mapping;
    this.headers = settings.headers();
    URI base = URI.create(settings.baseUrl());
    boolean https = "https".equals(base.getScheme());
    int port = base.getPort() != -1 ? base.getPort() : https ? 443 : 80;
    this.basePath = base.getPath() == null || base.getPath().equals("/") ? "" : base.getPath().replaceAll("/$", "");
    this.userPath = settings.userPath();
    this.timeoutMs = settings.timeoutMs();
    this.retries = settings.retries();
    this.backoff = new Backoff(settings.retryBaseDelayMs(), MAX_BACKOFF_MS);
    this.maxBodyBytes = settings.maxBodyBytes();
    this.batchPathTemplate = settings.batchPath();
    this.batchPath = batchPathTemplate.isBlank() ? null : io.vertx.uritemplate.UriTemplate.of(batchPathTemplate);
    this.listPath = settings.listPath().isBlank() ? null : io.vertx.uritemplate.UriTemplate.of(settings.listPath());
    // Only permit holders wait for a token, so its queue is never longer than the semaphore's permits.
    this.limiter = new RateLimiter(vertx, settings.maxRatePerSecond(), settings.maxBurst(), settings.rateMarginMs(),
      settings.maxConcurrent(), System::nanoTime);
    this.writes = new WriteSpacing(vertx, settings.maxRatePerSecond(), settings.maxBurst(), settings.rateMarginMs(),
      System::nanoTime);
    this.pause = new UpstreamPause(vertx, settings.maxPauseMs());
    this.client = vertx.createHttpClient(new HttpClientOptions()
        .setDefaultHost(base.getHost())
        .setDefaultPort(port)
        .setSsl(https)
        .setKeepAlive(true)
        .setConnectTimeout((int) timeoutMs),
      // Sized to the semaphore: the default of 5 per host would silently become the real limit.
      new PoolOptions().setHttp1MaxSize(settings.maxConcurrent()).setMaxWaitQueueSize(-1));
    this.breakerEnabled = settings.breakerEnabled();
    int maxFailures = settings.breakerMaxFailures();
    long windowMs = settings.breakerWindowMs();
    // What vertx-circuit-breaker 5.0.8 counts: failures in a rolling window of failuresRollingWindow,
    // kept in whole-second slots (window / 1000 of them: under 1000 ms it would count nothing and never
    // open, hence the key's minimum), and any success while closed clears the count. So it opens after
    // maxFailures failures with no success between them, all within about the window.
    this.breaker = CircuitBreaker.create("usergate-upstream", vertx, new CircuitBreakerOptions()
        .setMaxFailures(maxFailures)
        .setFailuresRollingWindow(windowMs)
        .setResetTimeout(settings.breakerResetMs())
        .setTimeout(-1)
        .setMaxRetries(0))
      .<Object>failurePolicy(Upstream::upstreamFailed)
      .openHandler(v -> {
        breakerGeneration++;
        breakerSince = Instant.now();
        LOG.warn("fetch: circuit breaker open after {} upstream failures within {} ms with no success between them",
          maxFailures, windowMs);
      })
      .halfOpenHandler(v -> {
        breakerSince = Instant.now();
        LOG.info("fetch: circuit breaker half-open, trying the upstream again");
      })
      .closeHandler(v -> {
        breakerSince = Instant.now();
        LOG.info("fetch: circuit breaker closed");
      });
  }

  /**
   * The breaker's failure policy: what the upstream answered, a user or not (404, a status other than 200,
   * invalid JSON, an invalid user, an oversized body), shows it is up, and counts as a success as the
   * library counts them (it clears the failures, and closes a half-open breaker); the caller still gets
   * the failure. Inside the breaker an {@code UPSTREAM_ERROR} or {@code NOT_FOUND} is always such an
   * answer: 5xx and 429 are {@link RetryableStatus} until the retries are over. Everything else (a
   * timeout, a refused connection, a 5xx, a cancelled half-open trial) is a failure of the upstream.
   */
  private static boolean upstreamFailed(Future<?> attempt) {
    return attempt.failed() && !(attempt.cause() instanceof UsergateException answer
      && (answer.code() == ErrorCode.NOT_FOUND || answer.code() == ErrorCode.UPSTREAM_ERROR));
  }

  /**
   * The user, {@code NOT_FOUND}, or the upstream's failure in the error contract; retried as configured.
   * It waits for the pause and the rate token only until {@code waitDeadlineNanos} ({@code System.nanoTime()}):
   * the caller's {@code upstream.queueTimeoutMs}, counted from when it started to wait for its permit, so that
   * the waits add up to one deadline.
   */
  Future<User> fetchUser(long id, Cancellation cancellation, long waitDeadlineNanos) {
    return withRetries(new Call<>(path(id), id, (status, responseHeaders, body) -> user(id, status, body)), cancellation, 0, waitDeadlineNanos);
  }

  /**
   * The directory's bulk endpoint ({@code upstream.batchPath}) for {@code ids}, as one call: the same
   * clearance, breaker, deadline and retries as one user. Each id's outcome: its {@link User}, or the
   * {@link UsergateException} for that id alone ({@code NOT_FOUND} when the answer leaves it out,
   * {@code UPSTREAM_ERROR} for an invalid entry or one given twice, differently). A failed call fails them all.
   */
  Future<Map<Long, Outcome<User>>> fetchUsers(List<Long> ids, Cancellation cancellation, long waitDeadlineNanos) {
    return withRetries(new Call<>(batchUri(ids), null, (status, responseHeaders, body) -> users(ids, status, body)), cancellation, 0,
      waitDeadlineNanos);
  }

  /**
   * One page of the directory's list ({@code sync.listPath}) from {@code offset}, at most {@code limit}
   * users: the same clearance, breaker, deadline and retries as one user. The page's entries, mapped and
   * checked ({@link ListPage}); a page that is not one fails the call, UPSTREAM_ERROR.
   */
  Future<ListPage> fetchPage(long offset, int limit, Cancellation cancellation, long waitDeadlineNanos) {
    String uri = basePath + listPath.expandToString(ListPage.variables(offset, limit));
    return withRetries(new Call<>(uri, null, (status, responseHeaders, body) -> {
      if (status >= 500 || status == 429) {
        throw new RetryableStatus(status);
      }
      if (status != 200) {
        throw ErrorCode.UPSTREAM_ERROR.error("upstream answered " + status + " to GET " + uri + " (sync.listPath)");
      }
      Object json;
      try {
        json = Json.decodeValue(body);
      } catch (DecodeException e) {
        throw ErrorCode.UPSTREAM_ERROR.error("upstream answered GET " + uri + " with invalid JSON");
      }
      return ListPage.of(json, responseHeaders.get(ListPage.TOTAL_HEADER), limit, "GET " + uri, mapping);
    }), cancellation, 0, waitDeadlineNanos);
  }

  private <T> Future<T> withRetries(Call<T> call, Cancellation cancellation, int attempt, long deadline) {
    return clearance(deadline, cancellation).compose(cleared -> throughBreaker(call, cancellation)).recover(failure -> {
      if (failure instanceof CancelledException) {
        return Future.failedFuture(failure);
      }
      boolean retryable = failure instanceof RetryableStatus || isConnectionFailure(failure);
      if (!retryable || attempt >= retries || cancellation.isCancelled()) {
        return Future.failedFuture(toContract(failure, call, attempt + 1));
      }
      return pause(attempt, cancellation).compose(v -> withRetries(call, cancellation, attempt + 1, deadline));
    });
  }

  /**
   * Before each attempt (a retry too), once the caller holds its permit: wait out a pause the directory
   * asked for (Retry-After), then take a rate token, then look again, since a 429 seen meanwhile by
   * another call starts a new pause. The token comes last so that calls leave at the rate; waiting for
   * it behind the permit keeps the waiters bounded. These refusals (OVERLOADED, UPSTREAM_UNAVAILABLE)
   * are local: they happen outside the breaker and are never retried.
   */
  private Future<Void> clearance(long deadlineNanos, Cancellation cancellation) {
    return pause.awaitResume(msLeft(deadlineNanos), cancellation)
      .compose(resumed -> limiter.acquire(msLeft(deadlineNanos), cancellation))
      .compose(token -> pause.paused() ? clearance(deadlineNanos, cancellation) : Future.succeededFuture());
  }

  private static long msLeft(long deadlineNanos) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }

  /** Whether the directory asked for a pause that still runs. */
  boolean paused() {
    return pause.paused();
  }

  RateLimiter limiter() {
    return limiter;
  }

  /** This node's share of a cluster's rate, for the tokens and for the writes ({@link RateShare}). */
  @Override
  public void pace(double ratePerSecond, int burst) {
    limiter.pace(ratePerSecond, burst);
    writes.pace(ratePerSecond, burst);
  }

  /** No token before {@code nanos} ({@link RateShare}: a node joining a cluster). */
  @Override
  public void holdUntil(long nanos) {
    limiter.holdUntil(nanos);
  }

  UpstreamPause pause() {
    return pause;
  }

  /** The backoff before the next attempt; a cancellation ends it (and its timer) at once. */
  private Future<Void> pause(int attempt, Cancellation cancellation) {
    Timer timer = vertx.timer(Math.max(1, backoff.delayMs(attempt)), TimeUnit.MILLISECONDS);
    return cancellation.race(timer).onFailure(cancelled -> timer.cancel());
  }

  private <T> Future<T> throughBreaker(Call<T> call, Cancellation cancellation) {
    if (!breakerEnabled) {
      return attempt(call, cancellation);
    }
    long generation = breakerGeneration;
    // The breaker hears of a call only when it says something about the upstream now; the others are
    // answered here, and the breaker is handed a future that never completes for them.
    Promise<T> answer = Promise.promise();
    Future<T> reported = breaker.execute(() -> {
      Future<T> attempt = attempt(call, cancellation);
      return attempt.transform(done -> {
        if (reportable(attempt, generation)) {
          return attempt;
        }
        attempt.onComplete(answer::tryComplete, answer::tryFail);
        return Promise.<T>promise().future();
      });
    });
    // Reported calls are answered once the breaker has counted them, so its state is never behind.
    reported.onComplete(answer::tryComplete, failure -> answer.tryFail(failure instanceof OpenCircuitException
      ? call.error(ErrorCode.UPSTREAM_UNAVAILABLE, "the upstream is failing: circuit breaker open, GET " + call.uri() + " not attempted")
      : failure));
    return answer.future();
  }

  /**
   * Whether the breaker hears of this call. A late answer of a call started before the breaker opened
   * says nothing about the upstream now, and a cancelled call says nothing at all: neither is reported,
   * so neither can close the breaker. Except a cancelled half-open trial: unreported, it would hold the
   * breaker half-open for good, so it is reported, and counts as failed (the breaker tries again after
   * its reset time).
   */
  private boolean reportable(Future<?> call, long generation) {
    if (call.cause() instanceof CancelledException) {
      return breaker.state() == CircuitBreakerState.HALF_OPEN;
    }
    return upstreamFailed(call) || generation == breakerGeneration;
  }

  /**
   * One GET with a deadline that covers the wait for a connection and the whole response; the deadline
   * and a cancellation both reset the request.
   */
  private <T> Future<T> attempt(Call<T> call, Cancellation cancellation) {
    Attempt attempt = new Attempt();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setURI(call.uri())
      .putHeader(HttpHeaders.ACCEPT, "application/json");
    headers.addTo(options);
    // The request this call serves (the first caller's, for a call shared or batched): the directory's logs can follow it.
    String requestId = RequestIds.current();
    if (requestId != null) {
      options.putHeader(HeaderNames.HTTP_REQUEST_ID, requestId);
    }
    Future<T> exchange = client.request(options)
      .compose(attempt::started)
      // The rate kept at the write too: calls that waited for a new connection do not leave together.
      .compose(request -> writes.next().map(request))
      .compose(HttpClientRequest::send)
      .compose(response -> {
        if (response.statusCode() == 429 || response.statusCode() == 503) {
          // The directory says when to come back: every call waits until then (capped by upstream.maxPauseMs).
          pause.pauseFor(UpstreamPause.parseRetryAfterMs(response.getHeader(HttpHeaders.RETRY_AFTER), Instant.now()));
        }
        return LimitedBody.read(response, maxBodyBytes).map(body -> call.parse().parse(response.statusCode(), response.headers(), body));
      })
      .recover(failure -> {
        if (!(failure instanceof LimitedBody.TooLarge tooLarge)) {
          return Future.failedFuture(failure);
        }
        // Stop the transfer now: unread, the rest of the body would still come over this connection.
        attempt.reset();
        // An answer, not a failure: asking again brings the same oversized answer (so no retry), and the
        // upstream is up (so the breaker's policy counts it as a success, as it does invalid JSON).
        return Future.failedFuture(call.error(ErrorCode.UPSTREAM_ERROR,
          "upstream answered more than " + tooLarge.limit + " bytes (upstream.maxBodyBytes) for GET " + call.uri()
            + (tooLarge.declared >= 0 ? " (Content-Length " + tooLarge.declared + ")" : "")));
      });
    return cancellation.race(exchange.timeout(timeoutMs, TimeUnit.MILLISECONDS)).recover(failure -> {
      boolean timedOut = failure instanceof TimeoutException;
      if (timedOut || failure instanceof CancelledException) {
        // The deadline passed or the caller left, perhaps while waiting for a connection.
        attempt.abandon();
      }
      return Future.failedFuture(timedOut ? call.error(ErrorCode.UPSTREAM_TIMEOUT,
        "upstream did not answer GET " + call.uri() + " within " + timeoutMs + " ms") : failure);
    });
  }

  /** The user in an answer, mapped, or why it is not one (a failed future); a status worth retrying throws. */
  private User user(long id, int status, Buffer body) {
    if (status == 404) {
      throw ErrorCode.NOT_FOUND.error("the upstream has no user " + id, id);
    }
    if (status >= 500 || status == 429) {
      throw new RetryableStatus(status);
    }
    if (status != 200) {
      throw ErrorCode.UPSTREAM_ERROR.error("upstream answered " + status + " to GET " + path(id) + credentialsHint(status), id);
    }
    Object json;
    try {
      json = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw ErrorCode.UPSTREAM_ERROR.error("upstream answered GET " + path(id) + " with invalid JSON", id);
    }
    Mapping.Mapped mapped = mapping.one(json, id);
    if (mapped.problem() != null) {
      throw ErrorCode.UPSTREAM_ERROR.error("upstream answered GET " + path(id) + " with an invalid user: " + mapped.problem(), id);
    }
    return mapped.user();
  }

  /** A refusal of the credentials says which key holds them (never what they are). */
  private static String credentialsHint(int status) {
    return status == 401 || status == 403 ? " (check the credentials in upstream.headers)" : "";
  }

  /** What the bulk endpoint answered, per id asked (see {@link #fetchUsers}). */
  private Map<Long, Outcome<User>> users(List<Long> ids, int status, Buffer body) {
    String what = "GET " + batchPathTemplate + " for " + ids.size() + " ids";
    if (status >= 500 || status == 429) {
      throw new RetryableStatus(status);
    }
    Object json = null;
    if (status == 200) {
      try {
        json = Json.decodeValue(body);
      } catch (DecodeException e) {
        throw ErrorCode.UPSTREAM_ERROR.error("upstream answered " + what + " with invalid JSON");
      }
    } else if (status != 404) {
      throw ErrorCode.UPSTREAM_ERROR.error("upstream answered " + status + " to " + what + credentialsHint(status));
    }
    List<Mapping.Mapped> entries;
    try {
      entries = status == 200 ? mapping.users(json) : List.of();
    } catch (Mapping.NotAList notAList) {
      throw ErrorCode.UPSTREAM_ERROR.error("upstream answered " + what + " with " + notAList.getMessage());
    }
    Map<Long, Outcome<User>> results = new LinkedHashMap<>();
    Set<Long> asked = new HashSet<>(ids);
    for (Mapping.Mapped entry : entries) {
      if (entry.id() == null || !asked.contains(entry.id())) {
        continue;  // nobody asked for it (or it names no id at all): nothing to store, nothing to answer
      }
      long id = entry.id();
      Outcome<User> result = entry.user() != null ? Outcome.found(entry.user()) : Outcome.failed(
        ErrorCode.UPSTREAM_ERROR.error("upstream answered " + what + " with an invalid user " + id + ": " + entry.problem(), id));
      Outcome<User> earlier = results.putIfAbsent(id, result);
      if (earlier != null && !(earlier instanceof Outcome.Found<User> seen && result instanceof Outcome.Found<User> again
        && seen.value().profile().equals(again.value().profile()))) {
        results.put(id, Outcome.failed(
          ErrorCode.UPSTREAM_ERROR.error("upstream answered " + what + " with user " + id + " twice, differently", id)));
      }
    }
    for (long id : ids) {
      results.putIfAbsent(id, Outcome.failed(ErrorCode.NOT_FOUND.error("the upstream has no user " + id, id)));
    }
    return results;
  }

  /** The bulk endpoint's URI for {@code ids}: the template with {@code id} (explodes) or {@code ids} (commas). */
  private String batchUri(List<Long> ids) {
    List<String> values = ids.stream().map(String::valueOf).toList();
    return basePath + batchPath.expandToString(io.vertx.uritemplate.Variables.variables().set("id", values).set("ids", values));
  }

  private UsergateException toContract(Throwable failure, Call<?> call, int attempts) {
    if (failure instanceof UsergateException known) {
      return known;
    }
    String tries = attempts > 1 ? " (after " + attempts + " attempts)" : "";
    if (failure instanceof RetryableStatus status) {
      return status.status == 429
        ? call.error(ErrorCode.UPSTREAM_UNAVAILABLE, "the upstream is rate limiting GET " + call.uri() + tries)
        : call.error(ErrorCode.UPSTREAM_ERROR, "upstream answered " + status.status + " to GET " + call.uri() + tries);
    }
    if (isConnectionFailure(failure)) {
      return call.error(ErrorCode.UPSTREAM_UNAVAILABLE,
        "cannot reach the upstream for GET " + call.uri() + ": " + failure.getMessage() + tries);
    }
    LOG.error("fetch: unexpected failure of GET {}", call.uri(), failure);
    return call.error(ErrorCode.INTERNAL, "unexpected failure of GET " + call.uri());
  }

  private static boolean isConnectionFailure(Throwable failure) {
    return failure instanceof java.net.ConnectException
      || failure instanceof io.netty.channel.ConnectTimeoutException
      || failure instanceof io.vertx.core.http.HttpClosedException
      || failure instanceof java.io.IOException;
  }

  private String path(long id) {
    return basePath + userPath.replace("{id}", Long.toString(id));
  }

  CircuitBreakerState breakerState() {
    return breaker.state();
  }

  /** When the breaker entered its current state. */
  Instant breakerSince() {
    return breakerSince;
  }

  /** Failures the breaker counts now (within its window, since the last success). */
  long breakerFailures() {
    return breaker.failureCount();
  }

  Future<Void> close() {
    breaker.close();
    return client.close();
  }
}
