package io.usergate.cache;

import io.usergate.metrics.CounterFamily;

/**
 * Where an answer may come from, given the age of the mirror's copy and what the caller accepts
 * (RFC 9111's request directives, or their bus form). The mirror's copy is fresh for
 * {@code cache.freshForMs}; for {@code cache.staleWhileRevalidateMs} more it may be answered while a
 * refresh runs in the background; after that it is a miss. A caller's {@code max-age} can only ask for
 * a younger copy than that, never make an old one fresh. The web judges its hits of the node's
 * cache with it, the fetch verticle everything else. Confined to its verticle's context.
 */
public final class Freshness {

  /** What the caller said: {@code maxAgeMs} null when it named no limit. */
  public record Directives(Long maxAgeMs, boolean noCache, boolean onlyIfCached) {

    /** No directive: the cache's own rule alone. */
    public static final Directives NONE = new Directives(null, false, false);
    /** A live answer only ({@code no-cache}). */
    public static final Directives LIVE = new Directives(null, true, false);
  }

  /** The verdict, and the label it has in {@code usergate_cache_requests_total{result}}. */
  public enum Verdict {
    /** Answer the copy. */
    HIT("hit"),
    /** Answer the copy and refresh it in the background. */
    STALE("stale"),
    /** Fetch live; answer that. */
    MISS("miss"),
    /** The caller asked for a live fetch ({@code no-cache}). */
    BYPASS("bypass"),
    /** {@code only-if-cached} and no copy good enough: 504, no upstream call. */
    NOT_CACHED("not_cached");

    final String label;

    Verdict(String label) {
      this.label = label;
    }
  }

  private final long freshForMs;
  private final long staleWhileRevalidateMs;
  private final CounterFamily requests =
    new CounterFamily("usergate.cache.requests", "ids asked of the cache (fetch, or the web edge for its hits), by where the answer came from", "result");

  Freshness(long freshForMs, long staleWhileRevalidateMs) {
    this.freshForMs = freshForMs;
    this.staleWhileRevalidateMs = staleWhileRevalidateMs;
  }

  /** The rule of the {@code cache} section. */
  public static Freshness of(CacheSettings cache) {
    return new Freshness(cache.freshForMs(), cache.staleWhileRevalidateMs());
  }

  /** Counts an id asked of the cache in {@code usergate_cache_requests_total{result}}. */
  public void count(Verdict verdict) {
    requests.increment(verdict.label);
  }

  /** Whether a look at the mirror can help at all: otherwise a fetch goes straight upstream. */
  public boolean consultsMirror(Directives directives) {
    return directives.onlyIfCached() || !directives.noCache() && (freshForMs > 0 || staleWhileRevalidateMs > 0);
  }

  /** {@code ageMs}: the copy's age, or -1 when the mirror has none. */
  public Verdict judge(long ageMs, Directives directives) {
    boolean copy = ageMs >= 0;
    Long maxAge = directives.maxAgeMs();
    if (directives.onlyIfCached()) {
      return copy && (maxAge == null || ageMs <= maxAge) ? Verdict.HIT : Verdict.NOT_CACHED;
    }
    if (directives.noCache()) {
      return Verdict.BYPASS;
    }
    if (!copy) {
      return Verdict.MISS;
    }
    long freshFor = maxAge == null ? freshForMs : Math.min(freshForMs, maxAge);
    if (freshFor > 0 && ageMs <= freshFor) {
      return Verdict.HIT;
    }
    // A caller that named a limit does not want an older copy, even while it is refreshed.
    if (maxAge == null && staleWhileRevalidateMs > 0 && ageMs <= freshForMs + staleWhileRevalidateMs) {
      return Verdict.STALE;
    }
    return Verdict.MISS;
  }
}
