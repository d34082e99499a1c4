package io.usergate.fetch;

import io.netty.channel.ConnectTimeoutException;
import io.usergate.HeaderNames;
import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.usergate.fetch.UpstreamAnswers.RetryableStatus;
import io.usergate.log.RequestIds;
import io.usergate.retry.Backoff;
import io.usergate.user.User;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;
import io.vertx.uritemplate.UriTemplate;
import io.vertx.uritemplate.Variables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The only code that talks to the upstream directory: one {@code GET} per user, with a deadline on each
 * attempt (connection wait included) that resets the request when it passes, a body limit that resets it
 * as soon as the answer grows past {@code upstream.maxBodyBytes}, retries of 5xx, 429 and refused
 * connections with exponential backoff and jitter ({@link Backoff}), after the clearance (the directory's
 * pause, its budget for the endpoint, a rate token) of each attempt, through the circuit breaker
 * ({@link UpstreamBreaker}). Every answer's rate-limit headers ({@link RateLimitHeaders}) feed the budget of
 * the endpoint it came from ({@link DirectoryBudget}); a 403 that says it is a rate limit counts as a 429. With
 * {@code upstream.tokenUrl}, each attempt carries the directory's token ({@link ClientCredentials}); a 401 drops
 * it and the call is tried once more with a new one. How an answer becomes a result, or the contract's error,
 * is {@link UpstreamAnswers}'.
 */
final class Upstream implements RateShare.Paced {

  private static final Logger LOG = LoggerFactory.getLogger(Upstream.class);
  private static final long MAX_BACKOFF_MS = 2000;

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
   * One kind of upstream GET: its endpoint (whose budget it spends, {@link DirectoryBudget}), its URI, the id
   * its errors name (none for a bulk call), and how its answer (status, body) becomes a result, or throws the
   * contract's error ({@link RetryableStatus} to retry); {@code ifNoneMatch}: the ETag of a conditional GET, or null.
   */
  private record Call<T>(String endpoint, String uri, String id, String ifNoneMatch, Parser<T> parse) {

    Call(String endpoint, String uri, String id, Parser<T> parse) {
      this(endpoint, uri, id, null, parse);
    }

    UsergateException error(ErrorCode code, String message) {
      return id == null ? code.error(message) : code.error(message, id);
    }
  }

  /** How an answer becomes a call's result. */
  @FunctionalInterface
  private interface Parser<T> {
    T parse(int status, MultiMap headers, Buffer body);
  }

  private final Vertx vertx;
  private final UpstreamAnswers answers;
  /** upstream.headers: on every request; their values appear nowhere else. */
  private final UpstreamHeaders headers;
  /** upstream.tokenUrl: the directory's token on every request; null when there is none. */
  private final ClientCredentials tokens;
  private final HttpClient client;
  private final UpstreamBreaker breaker;
  private final String basePath;
  private final UriTemplate userPath;
  private final long timeoutMs;
  private final int retries;
  private final Backoff backoff;
  private final long maxBodyBytes;
  /** The bulk endpoint's template ({@code upstream.batchPath}), null when the directory has none. */
  private final UriTemplate batchPath;
  private final String batchPathTemplate;
  /** How the directory pages its list ({@code sync.listPath}, {@code sync.listNext}), null when it has none. */
  private final ListPaging paging;
  /** The directory's delta query ({@code sync.deltaPath}), paged by its next links; null when it has none. */
  private final ListPaging deltaPaging;
  private final JsonPointer deltaLinkPointer;
  private final JsonPointer deltaRemovedPointer;
  private final UpstreamSettings settings;
  /** The bulk read's filter expression ({@code upstream.batchFilter}), null when the bulk endpoint takes the ids as they are. */
  private final BatchFilter batchFilter;
  private final RateLimiter limiter;
  private final WriteSpacing writes;
  private final UpstreamPause pause;
  private final DirectoryBudget budget;

  Upstream(Vertx vertx, UpstreamSettings settings, Mapping mapping) {
    this.vertx = vertx;
    this.answers = new UpstreamAnswers(mapping, settings.token() == null ? "the credentials in upstream.headers"
      : "the client's permissions and upstream.tokenScope, upstream.tokenAudience: a new token from upstream.tokenUrl was refused too");
    this.headers = settings.headers();
    // The token request has the deadline of one attempt.
    this.tokens = settings.token() == null ? null
      : new ClientCredentials(vertx, settings.token(), settings.tls(), settings.timeoutMs(), System::nanoTime);
    URI base = URI.create(settings.baseUrl());
    boolean https = "https".equals(base.getScheme());
    int port = base.getPort() != -1 ? base.getPort() : https ? 443 : 80;
    this.basePath = base.getPath() == null || base.getPath().equals("/") ? "" : base.getPath().replaceAll("/$", "");
    this.userPath = UriTemplate.of(settings.userPath());
    this.timeoutMs = settings.timeoutMs();
    this.retries = settings.retries();
    this.backoff = new Backoff(settings.retryBaseDelayMs(), MAX_BACKOFF_MS);
    this.maxBodyBytes = settings.maxBodyBytes();
    this.batchPathTemplate = settings.batchPath();
    this.batchPath = batchPathTemplate.isBlank() ? null : UriTemplate.of(batchPathTemplate);
    this.paging = settings.listPath().isBlank() ? null : new ListPaging(settings.listNext(), settings.baseUrl(),
      settings.listPath(), settings.listNextPointer(), settings.listTokenParam());
    this.settings = settings;
    this.deltaPaging = settings.deltaPath().isBlank() ? null : new ListPaging("url", settings.baseUrl(), settings.deltaPath(),
      settings.deltaNextPointer(), "");
    this.deltaLinkPointer = settings.deltaLinkPointer();
    this.deltaRemovedPointer = settings.deltaRemovedPointer();
    this.batchFilter = settings.batchFilter() == null ? null : new BatchFilter(settings.batchFilter(), settings.batchFilterJoin());
    // Only permit holders wait for a token, so its queue is never longer than the semaphore's permits.
    this.limiter = new RateLimiter(vertx, settings.maxRatePerSecond(), settings.maxBurst(), settings.rateMarginMs(),
      settings.maxConcurrent(), System::nanoTime);
    this.writes = new WriteSpacing(vertx, settings.maxRatePerSecond(), settings.maxBurst(), settings.rateMarginMs(),
      System::nanoTime);
    this.pause = new UpstreamPause(vertx, settings.maxPauseMs());
    this.budget = new DirectoryBudget(vertx, settings.rateLimitHeaders(), settings.rateLimitReserve(), System::nanoTime);
    this.client = vertx.httpClientBuilder()
      .with(settings.tls().applyTo(new HttpClientOptions())
        .setDefaultHost(base.getHost())
        .setDefaultPort(port)
        .setSsl(https)
        .setKeepAlive(true)
        .setConnectTimeout((int) timeoutMs))
      // Sized to the semaphore: the default of 5 per host would silently become the real limit.
      .with(new PoolOptions().setHttp1MaxSize(settings.maxConcurrent()).setMaxWaitQueueSize(-1))
      // A connection's failure (a TLS alert of a directory that refuses the client certificate) reaches the caller
      // through its request, in the contract; Vert.x would log each one at ERROR besides.
      .withConnectHandler(connection -> connection.exceptionHandler(seenThroughTheRequest -> { }))
      .build();
    this.breaker = new UpstreamBreaker(vertx, settings);
  }

  /**
   * The user, {@code NOT_FOUND}, or the upstream's failure in the error contract; retried as configured.
   * It waits for the pause and the rate token only until {@code waitDeadlineNanos} ({@code System.nanoTime()}):
   * the caller's {@code upstream.queueTimeoutMs}, counted from when it started to wait for its permit, so that
   * the waits add up to one deadline.
   *
   * <p>With a {@code known} copy that has the directory's ETag, a conditional GET ({@code If-None-Match}, sent as
   * the directory gave it, weak or strong), whose 304 confirms that copy with no body read (its rate-limit
   * headers are read all the same). The answer carries the directory's ETag when it sent one.
   */
  Future<Fetched> fetchUser(String id, KnownCopies.Copy known, Cancellation cancellation, long waitDeadlineNanos) {
    String ifNoneMatch = known == null ? null : known.upstreamEtag();
    return withRetries(new Call<>(DirectoryBudget.USER, path(id), id, ifNoneMatch,
        (status, responseHeaders, body) -> answers.fetched(id, "GET " + path(id), status, responseHeaders, body, known)),
      cancellation, 0, waitDeadlineNanos, false);
  }

  /**
   * The directory's bulk endpoint ({@code upstream.batchPath}) for {@code ids}, as one call: the same
   * clearance, breaker, deadline and retries as one user. Each id's outcome: its {@link User}, or the
   * {@link UsergateException} for that id alone ({@code NOT_FOUND} when the answer leaves it out,
   * {@code UPSTREAM_ERROR} for an invalid entry or one given twice, differently). A failed call fails them all.
   */
  Future<Map<String, Outcome<User>>> fetchUsers(List<String> ids, Cancellation cancellation, long waitDeadlineNanos) {
    return withRetries(new Call<>(DirectoryBudget.BULK, batchUri(ids), null,
        (status, responseHeaders, body) -> answers.users(ids, "GET " + batchPathTemplate, status, body)),
      cancellation, 0, waitDeadlineNanos, false);
  }

  /**
   * One page of the directory's list ({@code sync.listPath}) at {@code position} ({@link ListPaging}: an offset
   * or a cursor), at most {@code limit} users: the same clearance, breaker, deadline and retries as one user.
   * The page's entries, mapped and checked ({@link ListPage}), with where the next page is; a page that is not
   * one fails the call, UPSTREAM_ERROR; a cursor the directory refuses (400, 404, 410) is
   * {@link PageAnswer.Refused}.
   */
  Future<PageAnswer> fetchPage(JsonObject position, int limit, Cancellation cancellation, long waitDeadlineNanos) {
    return fetchPage(FetchMessages.Page.LIST, null, position, limit, cancellation, waitDeadlineNanos);
  }

  /**
   * {@link #fetchPage(JsonObject, int, Cancellation, long)} of {@code feed}: the walk's list, the delta query
   * ({@code sync.deltaPath}: its entries marked removed taken out and named, and on its last page the delta link), or
   * the changed-since list from {@code since} ({@code sync.changedSincePath}, paged as the walk's list). A delta page
   * may hold as many entries as the directory chooses, up to {@link FetchMessages.Page#MAX_LIMIT}.
   */
  Future<PageAnswer> fetchPage(String feed, Instant since, JsonObject position, int limit, Cancellation cancellation,
                               long waitDeadlineNanos) {
    boolean delta = FetchMessages.Page.DELTA.equals(feed);
    ListPaging pages;
    String uri;
    try {
      pages = delta ? deltaPaging : FetchMessages.Page.CHANGED_SINCE.equals(feed)
        ? new ListPaging(settings.listNext(), settings.baseUrl(), ChangedSince.template(settings.changedSincePath(), since),
          settings.listNextPointer(), settings.listTokenParam())
        : paging;
      uri = pages.uri(position, limit);
    } catch (UsergateException offOrigin) {
      return Future.failedFuture(offOrigin);
    }
    int most = delta ? FetchMessages.Page.MAX_LIMIT : limit;
    return withRetries(new Call<PageAnswer>(DirectoryBudget.LIST, uri, null, (status, responseHeaders, body) -> {
      if (pages.refused(position, status)) {
        return new PageAnswer.Refused("upstream answered " + status + " to GET " + uri + refusal(body));
      }
      Object json = answers.listBody("GET " + uri, status, body);
      List<String> removed = delta ? answers.takeRemoved(json, deltaRemovedPointer) : null;
      ListPage page = answers.page(json, "GET " + uri, most, responseHeaders.get(ListPage.TOTAL_HEADER));
      page = page.withNext(pages.next(position, limit, uri, responseHeaders, json, page));
      if (delta) {
        String link = page.next() == null ? pages.linkAt(deltaLinkPointer, "sync.deltaLinkPointer", json, uri) : null;
        page = page.withDelta(removed, link);
      }
      return new PageAnswer.Listed(page);
    }), cancellation, 0, waitDeadlineNanos, false);
  }

  /** What a refusal says, in the directory's words when it gives a code (Graph: {@code syncStateNotFound}), bounded. */
  private static String refusal(Buffer body) {
    try {
      Object json = Json.decodeValue(body);
      if (json instanceof JsonObject answer && answer.getValue("error") instanceof JsonObject error
        && error.getValue("code") instanceof String code) {
        return ": " + (code.length() > 100 ? code.substring(0, 100) : code);
      }
    } catch (RuntimeException notJson) {
      // Nothing more to say than the status.
    }
    return "";
  }

  /** What became of a page asked for: the page, or its cursor refused by the directory. */
  sealed interface PageAnswer permits PageAnswer.Listed, PageAnswer.Refused {

    record Listed(ListPage page) implements PageAnswer {
    }

    /** {@code message}: what the directory answered, for the walk's status. */
    record Refused(String message) implements PageAnswer {
    }
  }

  /**
   * {@code attempt} attempts so far; {@code tokenRenewed}: a token of this call was refused already, and a
   * second 401 is the caller's error.
   */
  private <T> Future<T> withRetries(Call<T> call, Cancellation cancellation, int attempt, long deadline,
                                    boolean tokenRenewed) {
    return clearance(call.endpoint(), deadline, cancellation)
      .compose(slot -> authorization(cancellation)
        .compose(token -> throughBreaker(call, slot, token, tokenRenewed, cancellation))
        .andThen(done -> slot.close()))
      .recover(failure -> {
        if (failure instanceof CancelledException) {
          return Future.failedFuture(failure);
        }
        if (failure instanceof ClientCredentials.Refused refused) {
          // Not a retry of upstream.retries: the same attempt again, with a new token (after the same clearance).
          tokens.invalidate(refused.token);
          return withRetries(call, cancellation, attempt, deadline, true);
        }
        boolean retryable = failure instanceof RetryableStatus
          || isConnectionFailure(failure) && UpstreamTls.handshakeFailure(failure) == null;
        if (!retryable || attempt >= retries || cancellation.isCancelled()) {
          return Future.failedFuture(toContract(failure, call, attempt + 1));
        }
        return pause(attempt, cancellation).compose(v -> withRetries(call, cancellation, attempt + 1, deadline, tokenRenewed));
      });
  }

  /**
   * Before each attempt (a retry too), once the caller holds its permit: wait out a pause the directory
   * asked for (Retry-After), then for the endpoint's turn in the budget the directory announces, then take
   * a rate token, then look again, since a 429 seen meanwhile by another call starts a new pause. The token
   * comes last so that calls leave at the rate; waiting for it behind the permit keeps the waiters bounded.
   * A turn not used (no token, a new pause) is given back. These refusals (OVERLOADED, UPSTREAM_UNAVAILABLE)
   * are local: they happen outside the breaker and are never retried.
   */
  private Future<DirectoryBudget.Slot> clearance(String endpoint, long deadlineNanos, Cancellation cancellation) {
    return pause.awaitResume(msLeft(deadlineNanos), cancellation)
      .compose(resumed -> budget.await(endpoint, msLeft(deadlineNanos), cancellation))
      .compose(slot -> limiter.acquire(msLeft(deadlineNanos), cancellation).transform(token -> {
        if (token.failed() || pause.paused()) {
          slot.close();
          return token.failed() ? Future.failedFuture(token.cause()) : clearance(endpoint, deadlineNanos, cancellation);
        }
        return Future.succeededFuture(slot);
      }));
  }

  /** The token of the next attempt, or null when the directory takes none; its wait ends with a cancellation. */
  private Future<String> authorization(Cancellation cancellation) {
    return tokens == null ? Future.succeededFuture() : cancellation.race(tokens.token());
  }

  private static long msLeft(long deadlineNanos) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }

  /**
   * Whether a miss would wait for the directory now: a pause it asked for still runs, or the budget it
   * announced for the endpoint a miss uses (the bulk one, when there is one) is spent until its reset.
   */
  boolean paused() {
    return pause.paused() || budget.exhausted(batchPath != null ? DirectoryBudget.BULK : DirectoryBudget.USER);
  }

  DirectoryBudget budget() {
    return budget;
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

  /** The directory's token ({@code upstream.tokenUrl}), for {@code /status}; null when there is none. */
  JsonObject tokenStatus() {
    return tokens == null ? null : tokens.status();
  }

  /** The backoff before the next attempt; a cancellation ends it (and its timer) at once. */
  private Future<Void> pause(int attempt, Cancellation cancellation) {
    Timer timer = vertx.timer(Math.max(1, backoff.delayMs(attempt)), TimeUnit.MILLISECONDS);
    return cancellation.race(timer).onFailure(cancelled -> timer.cancel());
  }

  /** One attempt through the breaker; an open breaker refuses it, unattempted, UPSTREAM_UNAVAILABLE. */
  private <T> Future<T> throughBreaker(Call<T> call, DirectoryBudget.Slot slot, String token, boolean tokenRenewed,
                                       Cancellation cancellation) {
    // Reported calls are answered once the breaker has counted them, so its state is never behind.
    return breaker.execute(() -> attempt(call, slot, token, tokenRenewed, cancellation)).recover(failure -> Future.failedFuture(
      failure instanceof OpenCircuitException
        ? call.error(ErrorCode.UPSTREAM_UNAVAILABLE, "the upstream is failing: circuit breaker open, GET " + call.uri() + " not attempted")
        : failure));
  }

  /**
   * One GET with a deadline that covers the wait for a connection and the whole response; the deadline
   * and a cancellation both reset the request. With {@code token}, a 401 is {@link ClientCredentials.Refused}
   * unless {@code tokenRenewed} (then it is an answer like any other).
   */
  private <T> Future<T> attempt(Call<T> call, DirectoryBudget.Slot slot, String token, boolean tokenRenewed,
                                Cancellation cancellation) {
    Attempt attempt = new Attempt();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setURI(call.uri())
      .putHeader(HttpHeaders.ACCEPT, "application/json");
    headers.addTo(options);
    if (token != null) {
      options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token);
    }
    if (call.ifNoneMatch() != null) {
      options.putHeader(HttpHeaders.IF_NONE_MATCH, call.ifNoneMatch());
    }
    // The request this call serves (the first caller's, for a call shared or batched): the directory's logs can follow it.
    String requestId = RequestIds.current();
    if (requestId != null) {
      options.putHeader(HeaderNames.HTTP_REQUEST_ID, requestId);
    }
    Future<T> exchange = client.request(options)
      .compose(attempt::started)
      // The rate kept at the write too: calls that waited for a new connection do not leave together.
      .compose(request -> writes.next().map(request))
      .compose(request -> {
        slot.sent();
        return request.send();
      })
      .compose(response -> {
        RateLimitHeaders said = RateLimitHeaders.read(response.headers(), Instant.now());
        slot.answered(said);
        int status = response.statusCode();
        if (status == 429 || status == 503) {
          // The directory says when to come back: every call waits until then (capped by upstream.maxPauseMs).
          pause.pauseFor(said.retryAfterMs());
        }
        if (token != null && !tokenRenewed && status == 401) {
          // Read to the end, so that the connection serves the next call.
          return LimitedBody.read(response, maxBodyBytes).compose(ignored -> Future.failedFuture(new ClientCredentials.Refused(token)));
        }
        return LimitedBody.read(response, maxBodyBytes).map(body -> {
          if (status == 403 && said.refusal(status, body)) {
            // A rate limit in a 403's clothes (GitHub, Google): the same pause, and retried as a 429.
            pause.pauseFor(said.retryAfterMs());
            return call.parse().parse(429, response.headers(), body);
          }
          return call.parse().parse(status, response.headers(), body);
        });
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

  /**
   * The bulk endpoint's URI for {@code ids}: the template with {@code id} (explodes) or {@code ids} (commas), or
   * {@code filter} (the ids' filter expression, percent-encoded by the expansion) and {@code count} (how many).
   */
  private String batchUri(List<String> ids) {
    Variables variables = Variables.variables().set("id", ids).set("ids", ids).set("count", Integer.toString(ids.size()));
    if (batchFilter != null) {
      variables.set("filter", batchFilter.expression(ids));
    }
    return basePath + batchPath.expandToString(variables);
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
    String tls = UpstreamTls.handshakeFailure(failure);
    if (tls != null) {
      return call.error(ErrorCode.UPSTREAM_UNAVAILABLE, "cannot reach the upstream for GET " + call.uri() + ": " + tls + tries);
    }
    if (isConnectionFailure(failure)) {
      return call.error(ErrorCode.UPSTREAM_UNAVAILABLE,
        "cannot reach the upstream for GET " + call.uri() + ": " + failure.getMessage() + tries);
    }
    LOG.error("fetch: unexpected failure of GET {}", call.uri(), failure);
    return call.error(ErrorCode.INTERNAL, "unexpected failure of GET " + call.uri());
  }

  private static boolean isConnectionFailure(Throwable failure) {
    return failure instanceof ConnectException
      || failure instanceof ConnectTimeoutException
      || failure instanceof HttpClosedException
      || failure instanceof IOException;
  }

  private String path(String id) {
    return basePath + userPath.expandToString(Variables.variables().set("id", id));
  }

  CircuitBreakerState breakerState() {
    return breaker.state();
  }

  /** When the breaker entered its current state. */
  Instant breakerSince() {
    return breaker.since();
  }

  /** Failures the breaker counts now (within its window, since the last success). */
  long breakerFailures() {
    return breaker.failures();
  }

  Future<Void> close() {
    breaker.close();
    if (tokens != null) {
      tokens.close();
    }
    return client.close();
  }
}
