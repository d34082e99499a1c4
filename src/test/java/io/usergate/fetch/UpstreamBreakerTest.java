package io.usergate.fetch;

import io.usergate.config.Configuration;
import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.usergate.support.Poll;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * The breaker on its own, fed attempts whose outcome the test decides (the HTTP side of its behaviour is in
 * FetchVerticleTest): what counts as a failure of the upstream, and which calls it hears of.
 */
@ExtendWith(VertxExtension.class)
class UpstreamBreakerTest {

  private static UpstreamBreaker breaker(Vertx vertx, boolean enabled) {
    return new UpstreamBreaker(vertx, UpstreamSettings.from(Configuration.withOverrides(new JsonObject().put("upstream",
      new JsonObject().put("breakerEnabled", enabled).put("breakerMaxFailures", 3).put("breakerWindowMs", 60_000)
        .put("breakerResetMs", 200)))));
  }

  private static Future<String> timedOut() {
    return Future.failedFuture(ErrorCode.UPSTREAM_TIMEOUT.error("upstream did not answer GET /users/7 within 10 ms", "7"));
  }

  /** {@code call}, once it is answered (the breaker has counted it by then), its outcome as a success. */
  private static Future<AsyncResult<String>> settled(Future<String> call) {
    return call.transform(Future::succeededFuture);
  }

  /** {@code times} calls of {@code attempt} through the breaker, one after the other. */
  private static Future<AsyncResult<String>> inTurn(UpstreamBreaker breaker, int times, Supplier<Future<String>> attempt) {
    Future<AsyncResult<String>> last = settled(breaker.execute(attempt));
    for (int i = 1; i < times; i++) {
      last = last.compose(previous -> settled(breaker.execute(attempt)));
    }
    return last;
  }

  private static ErrorCode code(AsyncResult<String> call) {
    return assertInstanceOf(UsergateException.class, call.cause()).code();
  }

  @Test
  @DisplayName("answers that are not users (NOT_FOUND, UPSTREAM_ERROR) clear the count; 3 failures of the upstream in a row "
    + "open it, and then it refuses at once without attempting")
  void failurePolicy(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> {
      UpstreamBreaker breaker = breaker(vertx, true);
      Instant created = breaker.since();
      AtomicInteger attempted = new AtomicInteger();
      inTurn(breaker, 2, UpstreamBreakerTest::timedOut)
        .compose(failed -> {
          assertEquals(ErrorCode.UPSTREAM_TIMEOUT, code(failed));
          assertEquals(2, breaker.failures());
          return settled(breaker.execute(() -> Future.failedFuture(ErrorCode.NOT_FOUND.error("the upstream has no user 7", "7"))));
        })
        .compose(notFound -> {
          assertEquals(ErrorCode.NOT_FOUND, code(notFound), "the caller still gets it");
          assertEquals(0, breaker.failures(), "the upstream answered: it is up");
          return settled(breaker.execute(
            () -> Future.failedFuture(ErrorCode.UPSTREAM_ERROR.error("upstream answered GET /users/7 with invalid JSON", "7"))));
        })
        .compose(invalid -> {
          assertEquals(ErrorCode.UPSTREAM_ERROR, code(invalid));
          assertEquals(0, breaker.failures(), "an invalid answer is an answer too");
          assertEquals(CircuitBreakerState.CLOSED, breaker.state());
          return inTurn(breaker, 3, UpstreamBreakerTest::timedOut);
        })
        .compose(third -> {
          assertEquals(ErrorCode.UPSTREAM_TIMEOUT, code(third));
          assertEquals(CircuitBreakerState.OPEN, breaker.state());
          assertFalse(breaker.since().isBefore(created));
          return settled(breaker.execute(() -> {
            attempted.incrementAndGet();
            return Future.succeededFuture("user");
          }));
        })
        .onComplete(testContext.succeeding(refused -> testContext.verify(() -> {
          assertInstanceOf(OpenCircuitException.class, refused.cause());
          assertEquals(0, attempted.get(), "not attempted while open");
          breaker.close();
          testContext.completeNow();
        })));
    });
  }

  @Test
  @DisplayName("a late success of a call started before the breaker opened reaches its caller but does not close it; "
    + "a trial's success does")
  void lateSuccess(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> {
      UpstreamBreaker breaker = breaker(vertx, true);
      Promise<String> slow = Promise.promise();
      Future<String> late = breaker.execute(slow::future);
      inTurn(breaker, 3, UpstreamBreakerTest::timedOut)
        .compose(opened -> {
          assertEquals(CircuitBreakerState.OPEN, breaker.state());
          return Poll.until(vertx, () -> breaker.state() == CircuitBreakerState.HALF_OPEN);
        })
        .compose(halfOpen -> {
          slow.complete("user 7, from before");
          return settled(late);
        })
        .compose(answered -> {
          assertEquals("user 7, from before", answered.result());
          assertEquals(CircuitBreakerState.HALF_OPEN, breaker.state(), "an answer from before says nothing about now");
          return settled(breaker.execute(() -> Future.succeededFuture("user 8")));
        })
        .onComplete(testContext.succeeding(trial -> testContext.verify(() -> {
          assertEquals("user 8", trial.result());
          assertEquals(CircuitBreakerState.CLOSED, breaker.state(), "the trial succeeded");
          breaker.close();
          testContext.completeNow();
        })));
    });
  }

  @Test
  @DisplayName("a cancelled call says nothing about the upstream: no failure counted, the count not cleared")
  void cancelled(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> {
      UpstreamBreaker breaker = breaker(vertx, true);
      inTurn(breaker, 2, UpstreamBreakerTest::timedOut)
        .compose(failed -> {
          assertEquals(2, breaker.failures());
          return inTurn(breaker, 3, () -> Future.failedFuture(new CancelledException()));
        })
        .onComplete(testContext.succeeding(left -> testContext.verify(() -> {
          assertInstanceOf(CancelledException.class, left.cause(), "its caller still hears of it");
          assertEquals(2, breaker.failures());
          assertEquals(CircuitBreakerState.CLOSED, breaker.state());
          breaker.close();
          testContext.completeNow();
        })));
    });
  }

  @Test
  @DisplayName("disabled (upstream.breakerEnabled false), every call is attempted, whatever failed before")
  void disabled(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> {
      UpstreamBreaker breaker = breaker(vertx, false);
      AtomicInteger attempted = new AtomicInteger();
      inTurn(breaker, 5, () -> {
        attempted.incrementAndGet();
        return timedOut();
      })
        .compose(failed -> {
          assertEquals(ErrorCode.UPSTREAM_TIMEOUT, code(failed));
          return settled(breaker.execute(() -> Future.succeededFuture("user")));
        })
        .onComplete(testContext.succeeding(ok -> testContext.verify(() -> {
          assertEquals("user", ok.result());
          assertEquals(5, attempted.get());
          assertEquals(CircuitBreakerState.CLOSED, breaker.state());
          breaker.close();
          testContext.completeNow();
        })));
    });
  }
}
