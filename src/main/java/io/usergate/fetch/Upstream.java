package io.usergate.fetch;

import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.usergate.user.User;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The only code that talks to the upstream directory: one {@code GET} per user, with a deadline on each
 * attempt (connection wait included) that resets the request when it passes, a body limit that resets it
 * as soon as the answer grows past {@code upstream.maxBodyBytes}, retries of 5xx, 429 and refused
 * connections with exponential backoff and jitter, and a circuit breaker.
 */
final class Upstream {

  private static final Logger LOG = LoggerFactory.getLogger(Upstream.class);
  private static final long MAX_BACKOFF_MS = 2000;

  /** What one upstream call found; a missing or invalid user is an answer, not a failure of the upstream. */
  record Lookup(User user, UsergateException problem) {
  }

  /** The upstream answered with a status worth retrying (5xx, 429). */
  private static final class RetryableStatus extends RuntimeException {
    final int status;

    RetryableStatus(int status) {
      super("upstream answered " + status, null, false, false);
      this.status = status;
    }
  }

  /** Holds the request of an attempt once there is one, so a deadline or a cancellation can reset it. */
  private static final class Attempt {
    HttpClientRequest request;

    void reset() {
      if (request != null) {
        request.reset();
      }
    }
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final CircuitBreaker breaker;
  private final boolean breakerEnabled;
  private final String basePath;
  private final String userPath;
  private final long timeoutMs;
  private final int retries;
  private final long retryBaseDelayMs;
  private final long maxBodyBytes;
  /** When the breaker last changed state (its creation, for the first CLOSED). */
  private Instant breakerSince = Instant.now();
  /** Bumped each time the breaker opens: a call started before then must not close it by a late success. */
  private long breakerGeneration;

  Upstream(Vertx vertx, JsonObject upstream) {
    this.vertx = vertx;
    URI base = URI.create(upstream.getString("baseUrl"));
    boolean https = "https".equals(base.getScheme());
    int port = base.getPort() != -1 ? base.getPort() : https ? 443 : 80;
    this.basePath = base.getPath() == null || base.getPath().equals("/") ? "" : base.getPath().replaceAll("/$", "");
    this.userPath = upstream.getString("userPath");
    this.timeoutMs = upstream.getInteger("timeoutMs");
    this.retries = upstream.getInteger("retries");
    this.retryBaseDelayMs = upstream.getInteger("retryBaseDelayMs");
    this.maxBodyBytes = upstream.getInteger("maxBodyBytes");
    this.client = vertx.createHttpClient(new HttpClientOptions()
        .setDefaultHost(base.getHost())
        .setDefaultPort(port)
        .setSsl(https)
        .setKeepAlive(true)
        .setConnectTimeout((int) timeoutMs),
      // Sized to the semaphore: the default of 5 per host would silently become the real limit.
      new PoolOptions().setHttp1MaxSize(upstream.getInteger("maxConcurrent")).setMaxWaitQueueSize(-1));
    this.breakerEnabled = upstream.getBoolean("breakerEnabled");
    int maxFailures = upstream.getInteger("breakerMaxFailures");
    long windowMs = upstream.getInteger("breakerWindowMs");
    // What vertx-circuit-breaker 5.0.8 counts: failures in a rolling window of failuresRollingWindow,
    // kept in whole-second slots (window / 1000 of them: under 1000 ms it would count nothing and never
    // open, hence the key's minimum), and any success while closed clears the count. So it opens after
    // maxFailures failures with no success between them, all within about the window.
    this.breaker = CircuitBreaker.create("usergate-upstream", vertx, new CircuitBreakerOptions()
        .setMaxFailures(maxFailures)
        .setFailuresRollingWindow(windowMs)
        .setResetTimeout(upstream.getInteger("breakerResetMs"))
        .setTimeout(-1)
        .setMaxRetries(0))
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

  /** The user, {@code NOT_FOUND}, or the upstream's failure in the error contract; retried as configured. */
  Future<User> fetchUser(long id, Cancellation cancellation) {
    return withRetries(id, cancellation, 0).compose(lookup -> lookup.problem() == null
      ? Future.succeededFuture(lookup.user()) : Future.failedFuture(lookup.problem()));
  }

  private Future<Lookup> withRetries(long id, Cancellation cancellation, int attempt) {
    return throughBreaker(id, cancellation).recover(failure -> {
      if (failure instanceof CancelledException) {
        return Future.failedFuture(failure);
      }
      boolean retryable = failure instanceof RetryableStatus || isConnectionFailure(failure);
      if (!retryable || attempt >= retries || cancellation.isCancelled()) {
        return Future.failedFuture(toContract(failure, id, attempt + 1));
      }
      return backoff(attempt, cancellation).compose(v -> withRetries(id, cancellation, attempt + 1));
    });
  }

  private Future<Void> backoff(int attempt, Cancellation cancellation) {
    long ceiling = Math.min(MAX_BACKOFF_MS, retryBaseDelayMs << Math.min(attempt, 20));
    long delay = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
    Promise<Void> waited = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, delay), id -> waited.tryComplete());
    cancellation.onCancel(() -> {
      vertx.cancelTimer(timer);
      waited.tryFail(new CancelledException());
    });
    return waited.future();
  }

  private Future<Lookup> throughBreaker(long id, Cancellation cancellation) {
    if (!breakerEnabled) {
      return attempt(id, cancellation);
    }
    Promise<Lookup> result = Promise.promise();
    long generation = breakerGeneration;
    breaker.<Lookup>execute(() -> attempt(id, cancellation).transform(done -> {
      // A late success of a call started before the breaker opened says nothing about the upstream now,
      // and a cancelled call says nothing at all: neither is reported, so neither can close the breaker.
      // Except a cancelled half-open trial: unreported, it would hold the breaker half-open for good, so
      // it counts as failed and the breaker tries again after its reset time.
      boolean cancelled = done.cause() instanceof CancelledException;
      if ((done.succeeded() && generation != breakerGeneration) || cancelled) {
        settle(result, done.result(), done.cause());
        return cancelled && breaker.state() == CircuitBreakerState.HALF_OPEN
          ? (Future<Lookup>) done : Promise.<Lookup>promise().future();
      }
      return (Future<Lookup>) done;
    })).onComplete((lookup, failure) -> {
      // Reported calls are answered once the breaker has counted them, so its state is never behind.
      if (failure instanceof OpenCircuitException) {
        result.tryFail(ErrorCode.UPSTREAM_UNAVAILABLE.error(
          "the upstream is failing: circuit breaker open, GET " + path(id) + " not attempted", id));
      } else {
        settle(result, lookup, failure);
      }
    });
    return result.future();
  }

  /** One GET with a deadline that covers the wait for a connection and the whole response. */
  private Future<Lookup> attempt(long id, Cancellation cancellation) {
    Promise<Lookup> result = Promise.promise();
    Attempt attempt = new Attempt();
    long timer = vertx.setTimer(timeoutMs, t -> {
      if (result.tryFail(ErrorCode.UPSTREAM_TIMEOUT.error(
        "upstream did not answer GET " + path(id) + " within " + timeoutMs + " ms", id))) {
        attempt.reset();
      }
    });
    cancellation.onCancel(() -> {
      if (result.tryFail(new CancelledException())) {
        attempt.reset();
      }
    });
    client.request(new RequestOptions().setMethod(HttpMethod.GET).setURI(path(id))
        .addHeader(HttpHeaders.ACCEPT, "application/json"))
      .onComplete(requested -> {
        if (requested.failed()) {
          result.tryFail(requested.cause());
          return;
        }
        attempt.request = requested.result();
        if (result.future().isComplete()) {
          // The deadline passed (or the caller left) while waiting for a connection.
          attempt.reset();
          return;
        }
        attempt.request.send()
          .compose(response -> LimitedBody.read(response, maxBodyBytes).map(body -> lookup(id, response.statusCode(), body)))
          .onComplete(done -> {
            if (done.cause() instanceof LimitedBody.TooLarge tooLarge) {
              // Stop the transfer now: unread, the rest of the body would still come over this connection.
              attempt.reset();
              // An answer, not a failure: asking again brings the same oversized answer (so no retry), and
              // the upstream is up (so the breaker counts it as a success, as it does invalid JSON).
              result.tryComplete(new Lookup(null, ErrorCode.UPSTREAM_ERROR.error(
                "upstream answered more than " + tooLarge.limit + " bytes (upstream.maxBodyBytes) for GET " + path(id)
                  + (tooLarge.declared >= 0 ? " (Content-Length " + tooLarge.declared + ")" : ""), id)));
            } else if (done.succeeded()) {
              result.tryComplete(done.result());
            } else {
              result.tryFail(done.cause());
            }
          });
      });
    return result.future().andThen(done -> vertx.cancelTimer(timer));
  }

  private Lookup lookup(long id, int status, Buffer body) {
    if (status == 404) {
      return new Lookup(null, ErrorCode.NOT_FOUND.error("the upstream has no user " + id, id));
    }
    if (status >= 500 || status == 429) {
      throw new RetryableStatus(status);
    }
    if (status != 200) {
      return new Lookup(null, ErrorCode.UPSTREAM_ERROR.error(
        "upstream answered " + status + " to GET " + path(id), id));
    }
    Object json;
    try {
      json = Json.decodeValue(body);
    } catch (DecodeException e) {
      return new Lookup(null, ErrorCode.UPSTREAM_ERROR.error(
        "upstream answered GET " + path(id) + " with invalid JSON", id));
    }
    String problem = User.problemWith(json, id);
    if (problem != null) {
      return new Lookup(null, ErrorCode.UPSTREAM_ERROR.error(
        "upstream answered GET " + path(id) + " with an invalid user: " + problem, id));
    }
    return new Lookup(User.of((JsonObject) json), null);
  }

  private static <T> void settle(Promise<T> promise, T value, Throwable failure) {
    if (failure == null) {
      promise.tryComplete(value);
    } else {
      promise.tryFail(failure);
    }
  }

  private UsergateException toContract(Throwable failure, long id, int attempts) {
    if (failure instanceof UsergateException known) {
      return known;
    }
    String tries = attempts > 1 ? " (after " + attempts + " attempts)" : "";
    if (failure instanceof RetryableStatus status) {
      return status.status == 429
        ? ErrorCode.UPSTREAM_UNAVAILABLE.error("the upstream is rate limiting GET " + path(id) + tries, id)
        : ErrorCode.UPSTREAM_ERROR.error("upstream answered " + status.status + " to GET " + path(id) + tries, id);
    }
    if (isConnectionFailure(failure)) {
      return ErrorCode.UPSTREAM_UNAVAILABLE.error(
        "cannot reach the upstream for GET " + path(id) + ": " + failure.getMessage() + tries, id);
    }
    LOG.error("fetch: unexpected failure of GET {}", path(id), failure);
    return ErrorCode.INTERNAL.error("unexpected failure of GET " + path(id), id);
  }

  private static boolean isConnectionFailure(Throwable failure) {
    return failure instanceof java.net.ConnectException
      || failure instanceof io.netty.channel.ConnectTimeoutException
      || failure instanceof io.vertx.core.http.HttpClosedException
      || failure instanceof java.io.IOException;
  }

  String path(long id) {
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
