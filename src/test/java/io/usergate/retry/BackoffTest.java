package io.usergate.retry;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one backoff rule of the upstream's retries and the sync's failed jobs. */
class BackoffTest {

  @Test
  @DisplayName("the ceiling doubles from the base with each retry and stops at the max")
  void ceilingDoublesUpToTheMax() {
    Backoff backoff = new Backoff(100, 2000);
    assertEquals(List.of(100L, 200L, 400L, 800L, 1600L, 2000L, 2000L),
      IntStream.range(0, 7).mapToObj(backoff::ceilingMs).toList());
  }

  @Test
  @DisplayName("each delay lies between half the ceiling and all of it, and both ends are drawn")
  void jitterBetweenHalfAndAll() {
    Random random = new Random(42);
    Backoff backoff = new Backoff(100, 300_000);
    for (int retries = 0; retries < 20; retries++) {
      long ceiling = backoff.ceilingMs(retries);
      for (int draw = 0; draw < 500; draw++) {
        long delay = backoff.delayMs(retries, random);
        assertTrue(delay >= ceiling / 2 && delay <= ceiling, "retry " + retries + ": " + delay + " ms of " + ceiling);
      }
    }
    Backoff small = new Backoff(4, 4);
    Set<Long> drawn = new TreeSet<>();
    for (int draw = 0; draw < 1000; draw++) {
      drawn.add(small.delayMs(3, random));
    }
    assertEquals(Set.of(2L, 3L, 4L), drawn);
    long withTheDefaultRandom = small.delayMs(0);
    assertTrue(withTheDefaultRandom >= 2 && withTheDefaultRandom <= 4, withTheDefaultRandom + " ms");
  }

  @Test
  @DisplayName("many retries or a large base never overflow: the ceiling is then the max")
  void noOverflow() {
    assertEquals(604_800_000L, new Backoff(86_400_000, 604_800_000).ceilingMs(1000));
    assertEquals(1L << 62, new Backoff(1, Long.MAX_VALUE).ceilingMs(62));
    assertEquals(Long.MAX_VALUE, new Backoff(1, Long.MAX_VALUE).ceilingMs(63));
    assertEquals(Long.MAX_VALUE, new Backoff(3, Long.MAX_VALUE).ceilingMs(62));
    assertTrue(new Backoff(1, Long.MAX_VALUE).delayMs(Integer.MAX_VALUE) > 0);
  }

  @Test
  @DisplayName("a base of 0 never waits; a negative base or max is refused")
  void zeroAndNegative() {
    assertEquals(0, new Backoff(0, 300_000).delayMs(5));
    assertThrows(IllegalArgumentException.class, () -> new Backoff(-1, 100));
    assertThrows(IllegalArgumentException.class, () -> new Backoff(100, -1));
  }
}
