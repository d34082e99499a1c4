package io.usergate.auth;

import io.usergate.error.ErrorCode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A caller's ratePerSecond, on a clock the test moves by hand: no sleeping. */
class QuotasTest {

  private static final long MS = 1_000_000L;

  private final AtomicLong clock = new AtomicLong(5_000 * MS);
  private final Quotas quotas = new Quotas(clock::get);

  private static Caller caller(String name, double rate) {
    return new Caller(name, Scope.all(), List.of(), 1, rate, 0);
  }

  private int letThrough(Caller caller, int tries) {
    int passed = 0;
    for (int i = 0; i < tries; i++) {
      if (quotas.take(caller) == null) {
        passed++;
      }
    }
    return passed;
  }

  @Test
  @DisplayName("a quiet caller gets a second's worth at once, then one request per 1/rate seconds; a refused one takes nothing")
  void burstThenPace() {
    Caller billing = caller("billing", 10);
    assertEquals(10, letThrough(billing, 25));
    Quotas.Exceeded refused = quotas.take(billing);
    assertNotNull(refused);
    assertEquals(1, refused.retryAfterSeconds());
    assertEquals("\"default\";q=10;w=1", refused.policy());
    assertEquals("\"default\";r=0;t=1", refused.rateLimit());
    assertEquals(ErrorCode.TOO_MANY_REQUESTS, refused.error().code());
    assertTrue(refused.error().getMessage().contains("billing"), refused.error().getMessage());

    clock.addAndGet(99 * MS);
    assertNotNull(quotas.take(billing), "a tenth of a second is not yet over");
    clock.addAndGet(MS);
    assertNull(quotas.take(billing));
    assertNotNull(quotas.take(billing));
    // Three intervals later, three more: the refusals in between took nothing.
    clock.addAndGet(300 * MS);
    assertEquals(3, letThrough(billing, 10));
    // A long quiet spell fills the budget again, but never beyond a second's worth.
    clock.addAndGet(60_000 * MS);
    assertEquals(10, letThrough(billing, 30));
  }

  @Test
  @DisplayName("Retry-After is whole seconds rounded up and at least 1; a rate below 1 a second is a policy over several seconds")
  void slowRates() {
    Caller slow = caller("slow", 0.4);
    assertNull(quotas.take(slow));
    Quotas.Exceeded refused = quotas.take(slow);
    // The next request is due 2.5 s after the first.
    assertEquals(3, refused.retryAfterSeconds());
    assertEquals("\"default\";q=1;w=3", refused.policy());
    clock.addAndGet(2_000 * MS);
    assertEquals(1, quotas.take(slow).retryAfterSeconds());
    clock.addAndGet(500 * MS);
    assertNull(quotas.take(slow));

    Caller fractional = caller("fractional", 2.5);
    assertEquals(3, letThrough(fractional, 10));
    assertEquals("\"default\";q=2;w=1", quotas.take(fractional).policy());
  }

  @Test
  @DisplayName("callers have budgets of their own; a caller without ratePerSecond is never refused")
  void perCaller() {
    Caller one = caller("one", 2);
    Caller two = caller("two", 2);
    assertEquals(2, letThrough(one, 5));
    assertEquals(2, letThrough(two, 5));
    assertEquals(1000, letThrough(caller("free", 0), 1000));
    assertEquals(1000, letThrough(Caller.anonymous(Scope.all()), 1000));
    // The same name with another rate (a new configuration) starts a budget of its own.
    assertEquals(5, letThrough(caller("one", 5), 10));
  }

  @Test
  @DisplayName("threads taking at once never let more through than the burst: the budget is one atomic, not a lock")
  void concurrentTakers() throws Exception {
    Caller busy = caller("busy", 500);
    ExecutorService threads = Executors.newFixedThreadPool(4);
    AtomicInteger passed = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    for (int t = 0; t < 4; t++) {
      threads.submit(() -> {
        start.await();
        for (int i = 0; i < 1000; i++) {
          if (quotas.take(busy) == null) {
            passed.incrementAndGet();
          }
        }
        return null;
      });
    }
    start.countDown();
    threads.shutdown();
    assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS));
    assertEquals(500, passed.get());
  }
}
