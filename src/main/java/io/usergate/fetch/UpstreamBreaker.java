package io.usergate.fetch;

import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.FailurePolicy;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.function.Supplier;

/**
 * The circuit breaker in front of the upstream ({@code upstream.breaker*}): its {@link FailurePolicy} tells a
 * failing upstream from an answer that is not a user, and it hears only of the calls that say something
 * about the upstream now. With {@code upstream.breakerEnabled} false every attempt goes straight through.
 */
final class UpstreamBreaker {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamBreaker.class);

  private final CircuitBreaker breaker;
  private final boolean enabled;
  /** When the breaker last changed state (its creation, for the first CLOSED). */
  private Instant since = Instant.now();
  /** Bumped each time the breaker opens: a call started before then must not close it by a late success. */
  private long generation;

  UpstreamBreaker(Vertx vertx, UpstreamSettings settings) {
    this.enabled = settings.breakerEnabled();
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
      .<Object>failurePolicy(UpstreamBreaker::upstreamFailed)
      .openHandler(v -> {
        generation++;
        since = Instant.now();
        LOG.warn("fetch: circuit breaker open after {} upstream failures within {} ms with no success between them",
          maxFailures, windowMs);
      })
      .halfOpenHandler(v -> {
        since = Instant.now();
        LOG.info("fetch: circuit breaker half-open, trying the upstream again");
      })
      .closeHandler(v -> {
        since = Instant.now();
        LOG.info("fetch: circuit breaker closed");
      });
  }

  /**
   * The failure policy: what the upstream answered, a user or not (404, a status other than 200, invalid
   * JSON, an invalid user, an oversized body), shows it is up, and counts as a success as the library
   * counts them (it clears the failures, and closes a half-open breaker); the caller still gets the
   * failure. Inside the breaker an {@code UPSTREAM_ERROR} or {@code NOT_FOUND} is always such an answer:
   * 5xx and 429 are {@link UpstreamAnswers.RetryableStatus} until the retries are over. A 401 to a call with a
   * token ({@link ClientCredentials.Refused}, tried again with a new one) is an answer too. Everything else
   * (a timeout, a refused connection, a 5xx, a cancelled half-open trial) is a failure of the upstream.
   */
  private static boolean upstreamFailed(Future<?> attempt) {
    return attempt.failed() && !(attempt.cause() instanceof ClientCredentials.Refused)
      && !(attempt.cause() instanceof UsergateException answer
      && (answer.code() == ErrorCode.NOT_FOUND || answer.code() == ErrorCode.UPSTREAM_ERROR));
  }

  /**
   * The attempt {@code call} makes, through the breaker: its result once the breaker has counted it (so its
   * state is never behind), or an {@link OpenCircuitException}, unattempted, while the breaker is open.
   */
  <T> Future<T> execute(Supplier<Future<T>> call) {
    if (!enabled) {
      return call.get();
    }
    long started = generation;
    // The breaker hears of a call only when it says something about the upstream now; the others are
    // answered here, and the breaker is handed a future that never completes for them.
    Promise<T> answer = Promise.promise();
    Future<T> reported = breaker.execute(() -> {
      Future<T> attempt = call.get();
      return attempt.transform(done -> {
        if (reportable(attempt, started)) {
          return attempt;
        }
        attempt.onComplete(answer::tryComplete, answer::tryFail);
        return Promise.<T>promise().future();
      });
    });
    reported.onComplete(answer::tryComplete, answer::tryFail);
    return answer.future();
  }

  /**
   * Whether the breaker hears of this call. A late answer of a call started before the breaker opened
   * says nothing about the upstream now, and a cancelled call says nothing at all: neither is reported,
   * so neither can close the breaker. Except a cancelled half-open trial: unreported, it would hold the
   * breaker half-open for good, so it is reported, and counts as failed (the breaker tries again after
   * its reset time).
   */
  private boolean reportable(Future<?> call, long started) {
    if (call.cause() instanceof CancelledException) {
      return breaker.state() == CircuitBreakerState.HALF_OPEN;
    }
    return upstreamFailed(call) || started == generation;
  }

  CircuitBreakerState state() {
    return breaker.state();
  }

  /** When the breaker entered its current state. */
  Instant since() {
    return since;
  }

  /** Failures the breaker counts now (within its window, since the last success). */
  long failures() {
    return breaker.failureCount();
  }

  void close() {
    breaker.close();
  }
}
