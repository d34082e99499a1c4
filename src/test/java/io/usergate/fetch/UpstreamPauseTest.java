package io.usergate.fetch;

import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class UpstreamPauseTest {

  /** A Thursday. */
  private static final Instant NOW = Instant.parse("2025-05-01T12:00:00Z");

  /** The nano clock of the pauses made {@link #byHand}: it stands still unless a test moves it. */
  private final AtomicLong clock = new AtomicLong();

  private UpstreamPause byHand(Vertx vertx, long maxPauseMs) {
    return new UpstreamPause(vertx, maxPauseMs, clock::get);
  }

  private void advanceMs(long ms) {
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
  }

  private static Executable parses(String header, long expectedMs) {
    return () -> assertEquals(expectedMs, UpstreamPause.parseRetryAfterMs(header, NOW), "Retry-After: " + header);
  }

  @Test
  @DisplayName("Retry-After: delta-seconds (a decimal fraction too, as Graph sends) and every HTTP-date form parse; malformed or negative is -1, a past date 0, never an exception")
  void parsing() {
    String threeSecondsAhead = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(3).atOffset(ZoneOffset.UTC));
    assertEquals("Thu, 1 May 2025 12:00:03 GMT", threeSecondsAhead);
    assertAll(
      parses("2", 2_000),
      parses("0", 0),
      parses(" 7 ", 7_000),
      parses("120", 120_000),
      parses("-1", -1),
      parses("abc", -1),
      parses("", -1),
      parses("   ", -1),
      parses(null, -1),
      parses("1.5", 1_500),
      parses("2.128", 2_128),
      parses("0.0001", 1), // beyond the millisecond rounds up
      parses("1.", -1),
      parses(".5", -1),
      parses("1.2.3", -1),
      parses("+3", -1),
      parses("3 s", -1),
      parses("٣", -1), // an Arabic-Indic three: a digit to Java, not to HTTP
      parses("99999999999999999999", Long.MAX_VALUE),
      parses("9223372036854775807", Long.MAX_VALUE),
      // IMF-fixdate
      parses("Thu, 01 May 2025 12:00:03 GMT", 3_000),
      parses(threeSecondsAhead, 3_000),
      parses("Thu, 01 May 2025 11:59:00 GMT", 0),
      parses("Sun, 06 Nov 1994 08:49:37 GMT", 0),
      parses("Fri, 01 May 2026 12:00:00 GMT", Duration.ofDays(365).toMillis()),
      // what RFC_1123_DATE_TIME also accepts
      parses("1 May 2025 12:00:03 GMT", 3_000),
      parses("Thu, 01 May 2025 12:01 GMT", 60_000),
      parses("Thu, 01 May 2025 14:00:03 +0200", 3_000),
      parses("thu, 01 may 2025 12:00:03 gmt", 3_000),
      parses("Mon, 01 May 2025 12:00:03 GMT", 3_000), // a wrong weekday is ignored
      // rfc850-date, with the two-digit year within 50 years ahead or else in the past
      parses("Thursday, 01-May-25 12:00:03 GMT", 3_000),
      parses("Sunday, 06-Nov-94 08:49:37 GMT", 0),
      parses("Thursday, 01-May-2025 12:00:03 GMT", 3_000),
      // asctime-date, the day padded with a space
      parses("Thu May  1 12:00:03 2025", 3_000),
      parses("Thu May 01 12:00:03 2025", 3_000),
      // malformed dates
      parses("Thu, 32 May 2025 12:00:03 GMT", -1),
      parses("Thu, 01 May 2025 25:00:03 GMT", -1),
      parses("Thu, 01 May 2025 12:00:03 UTC", -1),
      parses("Thu, 01 May 2025", -1),
      parses("2025-05-01T12:00:03Z", -1),
      parses("Thu, 01 Mai 2025 12:00:03 GMT", -1));
  }

  @Test
  @DisplayName("a Retry-After a year ahead pauses for upstream.maxPauseMs at most; 0, -1 and a limit of 0 pause nothing")
  void cap(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> testContext.verify(() -> {
      long yearAhead = UpstreamPause.parseRetryAfterMs("Fri, 01 May 2026 12:00:00 GMT", NOW);
      UpstreamPause pause = byHand(vertx, UpstreamPause.DEFAULT_MAX_PAUSE_MS);
      pause.pauseFor(yearAhead);
      assertTrue(pause.paused());
      assertEquals(60_000, pause.remainingMs());
      advanceMs(10_000);
      assertEquals(50_000, pause.remainingMs());
      pause.pauseFor(UpstreamPause.parseRetryAfterMs("99999999999999999999", NOW));
      assertEquals(60_000, pause.remainingMs(), "capped again, from now");

      UpstreamPause idle = new UpstreamPause(vertx, 60_000);
      idle.pauseFor(0);
      idle.pauseFor(-1);
      assertFalse(idle.paused());
      assertEquals(0, idle.remainingMs());
      assertTrue(idle.awaitResume(0, new Cancellation()).succeeded(), "no pause: go at once");

      UpstreamPause disabled = new UpstreamPause(vertx, 0);
      disabled.pauseFor(10_000);
      assertFalse(disabled.paused());
      testContext.completeNow();
    }));
  }

  @Test
  @DisplayName("the end of a pause wakes every waiter, none before it")
  void resumeWakesEveryone(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> testContext.verify(() -> {
      UpstreamPause pause = new UpstreamPause(vertx, 60_000);
      long start = System.nanoTime();
      pause.pauseFor(300);
      List<Future<Void>> waiters = new ArrayList<>();
      List<Long> wokenAfterMs = new ArrayList<>();
      List<Boolean> pausedWhenWoken = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        waiters.add(pause.awaitResume(10_000, new Cancellation()).onSuccess(resumed -> {
          pausedWhenWoken.add(pause.paused());
          wokenAfterMs.add((System.nanoTime() - start) / 1_000_000);
        }));
      }
      assertEquals(20, pause.waiting());
      Future.all(waiters).onComplete(testContext.succeeding(all -> testContext.verify(() -> {
        assertEquals(20, wokenAfterMs.size());
        assertFalse(pausedWhenWoken.contains(true), "woken while still paused");
        assertTrue(wokenAfterMs.stream().allMatch(ms -> ms >= 300), "none before the end: " + wokenAfterMs);
        assertEquals(0, pause.waiting());
        assertEquals(0, pause.remainingMs());
        testContext.completeNow();
      })));
    }));
  }

  @Test
  @DisplayName("a later Retry-After extends a running pause, a shorter one does not shorten it")
  void extension(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> testContext.verify(() -> {
      UpstreamPause pause = byHand(vertx, 60_000);
      pause.pauseFor(200);
      advanceMs(20);
      pause.pauseFor(50);
      assertEquals(180, pause.remainingMs(), "not shortened");
      pause.pauseFor(600);
      assertEquals(600, pause.remainingMs(), "extended");
      advanceMs(599);
      assertTrue(pause.paused(), "paused until the new end");
      advanceMs(1);
      assertFalse(pause.paused());
      assertEquals(0, pause.remainingMs());
      testContext.completeNow();
    }));
  }

  @Test
  @DisplayName("a waiter wakes at the end of the extended pause, not at the end it had when it began to wait")
  void waiterWakesAtTheExtendedEnd(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> testContext.verify(() -> {
      UpstreamPause pause = new UpstreamPause(vertx, 60_000);
      pause.pauseFor(200);
      Future<Void> waiter = pause.awaitResume(10_000, new Cancellation());
      long extendedAt = System.nanoTime();
      pause.pauseFor(600);
      waiter.onComplete(testContext.succeeding(resumed -> testContext.verify(() -> {
        // A lower bound only: the timer is real (Vert.x's), and it never fires early.
        long afterMs = (System.nanoTime() - extendedAt) / 1_000_000;
        assertTrue(afterMs >= 600, "woken " + afterMs + " ms after the extension to 600 ms");
        assertFalse(pause.paused());
        testContext.completeNow();
      })));
    }));
  }

  @Test
  @DisplayName("a waiter who cannot wait out the pause fails UPSTREAM_UNAVAILABLE with the seconds remaining: "
    + "at once, or when an extension outlasts its wait")
  void shortWait(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> testContext.verify(() -> {
      UpstreamPause pause = byHand(vertx, 60_000); // the clock stands still: exactly 5 s remain
      pause.pauseFor(5_000);
      Future<Void> impatient = pause.awaitResume(100, new Cancellation());
      assertTrue(impatient.failed(), "failed at once");
      UsergateException failure = assertInstanceOf(UsergateException.class, impatient.cause());
      assertEquals(ErrorCode.UPSTREAM_UNAVAILABLE, failure.code());
      assertTrue(failure.getMessage().contains("5 s remain"), failure.getMessage());
      assertTrue(failure.getMessage().contains("(100 ms)"), failure.getMessage());
      assertEquals(0, pause.waiting());

      Future<Void> fits = pause.awaitResume(8_000, new Cancellation());
      Cancellation patient = new Cancellation();
      Future<Void> longWait = pause.awaitResume(30_000, patient);
      assertEquals(2, pause.waiting());
      pause.pauseFor(10_000);
      assertTrue(fits.failed(), "failed as soon as the pause outlasted its wait");
      UsergateException outlasted = assertInstanceOf(UsergateException.class, fits.cause());
      assertEquals(ErrorCode.UPSTREAM_UNAVAILABLE, outlasted.code());
      assertTrue(outlasted.getMessage().contains("10 s remain"), outlasted.getMessage());
      assertFalse(longWait.isComplete(), "its wait is long enough");
      assertEquals(1, pause.waiting());
      patient.cancel();
      assertInstanceOf(CancelledException.class, longWait.cause());
      testContext.completeNow();
    }));
  }

  @Test
  @DisplayName("a cancelled waiter leaves at once; the others still wake at the end")
  void cancellation(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> testContext.verify(() -> {
      UpstreamPause pause = new UpstreamPause(vertx, 60_000);
      pause.pauseFor(200);
      Future<Void> a = pause.awaitResume(10_000, new Cancellation());
      Cancellation leaves = new Cancellation();
      Future<Void> b = pause.awaitResume(10_000, leaves);
      Future<Void> c = pause.awaitResume(10_000, new Cancellation());
      leaves.cancel();
      assertInstanceOf(CancelledException.class, b.cause());
      assertEquals(2, pause.waiting());
      Cancellation alreadyCancelled = new Cancellation();
      alreadyCancelled.cancel();
      assertInstanceOf(CancelledException.class, pause.awaitResume(10_000, alreadyCancelled).cause());
      Future.all(a, c).onComplete(testContext.succeeding(all -> testContext.verify(() -> {
        assertEquals(0, pause.waiting());
        leaves.cancel(); // twice is harmless
        testContext.completeNow();
      })));
    }));
  }

  @Test
  @DisplayName("a waiter woken by the end of a pause may start the next one: the others wait again")
  void pauseAgainWhileWaking(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> testContext.verify(() -> {
      UpstreamPause pause = new UpstreamPause(vertx, 60_000);
      pause.pauseFor(100);
      List<String> woken = new ArrayList<>();
      Promise<Long> firstWokenAt = Promise.promise();
      // The first one woken meets another 429 at once.
      pause.awaitResume(10_000, new Cancellation()).onSuccess(r -> {
        woken.add("first");
        firstWokenAt.complete(System.nanoTime());
        pause.pauseFor(300);
      });
      pause.awaitResume(10_000, new Cancellation()).onSuccess(r -> woken.add("second"))
        .onComplete(testContext.succeeding(r -> testContext.verify(() -> {
          long afterMs = (System.nanoTime() - firstWokenAt.future().result()) / 1_000_000;
          assertEquals(List.of("first", "second"), woken);
          assertTrue(afterMs >= 300, "the second waited out the second pause: woken " + afterMs + " ms after the first");
          assertFalse(pause.paused());
          testContext.completeNow();
        })));
    }));
  }

  @Test
  @DisplayName("paused time is counted as it passes, overlapping pauses once")
  void pausedTime(Vertx vertx, VertxTestContext testContext) {
    vertx.runOnContext(v -> testContext.verify(() -> {
      UpstreamPause pause = byHand(vertx, 60_000);
      assertEquals(0, pause.pausedMillisTotal());
      pause.pauseFor(300);
      pause.pauseFor(300); // the same pause, said twice
      assertEquals(0, pause.pausedMillisTotal(), "not counted ahead of time");
      advanceMs(100);
      assertEquals(100, pause.pausedMillisTotal(), "counted as it passes");
      advanceMs(250);
      assertEquals(300, pause.pausedMillisTotal(), "up to the end of the pause, not beyond");
      pause.pauseFor(200);
      pause.pauseFor(100); // within the running one
      advanceMs(150);
      assertEquals(450, pause.pausedMillisTotal());
      advanceMs(5_000);
      assertEquals(500, pause.pausedMillisTotal(), "stays put between pauses");
      assertEquals(500, pause.pausedMillisTotal());
      testContext.completeNow();
    }));
  }
}
