package io.usergate.cache;

import io.usergate.cache.Freshness.Directives;
import io.usergate.cache.Freshness.Verdict;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FreshnessTest {

  private static final long NO_COPY = -1;
  private final Freshness cache = new Freshness(60_000, 30_000);

  @Test
  @DisplayName("a copy is a hit within freshForMs, answered while refreshed within staleWhileRevalidateMs more, a miss after")
  void byAge() {
    assertEquals(Verdict.HIT, cache.judge(0, Directives.NONE));
    assertEquals(Verdict.HIT, cache.judge(60_000, Directives.NONE));
    assertEquals(Verdict.STALE, cache.judge(60_001, Directives.NONE));
    assertEquals(Verdict.STALE, cache.judge(90_000, Directives.NONE));
    assertEquals(Verdict.MISS, cache.judge(90_001, Directives.NONE));
    assertEquals(Verdict.MISS, cache.judge(NO_COPY, Directives.NONE));
  }

  @Test
  @DisplayName("max-age can ask for a younger copy, never make an older one fresh, and a caller with a limit gets no stale copy")
  void maxAge() {
    assertEquals(Verdict.HIT, cache.judge(9_000, new Directives(10_000L, false, false)));
    assertEquals(Verdict.MISS, cache.judge(11_000, new Directives(10_000L, false, false)));
    assertEquals(Verdict.MISS, cache.judge(70_000, new Directives(120_000L, false, false)));
    assertEquals(Verdict.MISS, cache.judge(0, new Directives(0L, false, false)));
  }

  @Test
  @DisplayName("no-cache bypasses the mirror; only-if-cached takes any copy within max-age and is NOT_CACHED without one")
  void directives() {
    assertEquals(Verdict.BYPASS, cache.judge(0, new Directives(null, true, false)));
    assertEquals(Verdict.HIT, cache.judge(10_000_000, new Directives(null, false, true)));
    assertEquals(Verdict.NOT_CACHED, cache.judge(NO_COPY, new Directives(null, false, true)));
    assertEquals(Verdict.NOT_CACHED, cache.judge(20_000, new Directives(10_000L, false, true)));
    assertEquals(Verdict.HIT, cache.judge(20_000, new Directives(null, true, true)), "only-if-cached wins over no-cache");
  }

  @Test
  @DisplayName("with freshForMs 0 and no stale window every fetch is live, and the mirror is not even read")
  void alwaysLive() {
    Freshness live = new Freshness(0, 0);
    assertEquals(Verdict.MISS, live.judge(0, Directives.NONE));
    assertFalse(live.consultsMirror(Directives.NONE));
    assertTrue(live.consultsMirror(new Directives(null, false, true)));
    assertFalse(cache.consultsMirror(new Directives(null, true, false)));
  }
}
