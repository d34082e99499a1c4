package io.usergate.support;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real directory on loopback that allows {@code limit} requests per fixed window of {@code windowMs}
 * (windows aligned to the wall clock, as Okta's minutes are), refuses the rest, and says where each caller
 * stands in the headers of one dialect. It serves {@code GET /users/{id}} with {@link FakeDirectory#user}
 * and counts what it sees: answers, refusals, and when each request came.
 */
public class RateLimitedDirectory extends LoopbackServer<RateLimitedDirectory> {

  /** How the directory speaks of its budget, and how it refuses. */
  public enum Dialect {
    /** {@code X-Rate-Limit-Limit/-Remaining/-Reset}, the reset in Unix seconds, with a {@code Date}; 429 when refused. */
    OKTA,
    /**
     * The IETF draft: {@code RateLimit-Policy: "default";q=L;w=W} and {@code RateLimit: "default";r=R;t=T}, the
     * reset in whole seconds from now, rounded down (the harder case: it may be up to a second early); 429.
     */
    DRAFT,
    /** {@code x-ratelimit-*}, the reset in Unix seconds, no {@code Date}; refused with a 403 naming the limit. */
    GITHUB
  }

  private final int limit;
  private final long windowMs;
  private final Dialect dialect;
  private final AtomicInteger answered = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private final ConcurrentLinkedQueue<Long> arrivals = new ConcurrentLinkedQueue<>();
  /** Confined to the verticle's event loop. */
  private long window = -1;
  private int counted;

  /** {@code windowMs} a whole number of seconds, so that a Unix reset names the window's end exactly. */
  public RateLimitedDirectory(int limit, long windowMs, Dialect dialect) {
    if (windowMs % 1000 != 0) {
      throw new IllegalArgumentException("a window of whole seconds, not " + windowMs + " ms");
    }
    this.limit = limit;
    this.windowMs = windowMs;
    this.dialect = dialect;
  }

  /** Requests answered with a user. */
  public int answered() {
    return answered.get();
  }

  /** Requests refused for the rate limit (429, or 403 in the GitHub dialect). */
  public int refused() {
    return refused.get();
  }

  public int requests() {
    return arrivals.size();
  }

  /** The most requests that came within any {@code windowMs} (a sliding window, both ends counted). */
  public int busiestWindow() {
    return Arrivals.busiest(arrivals, windowMs).size();
  }

  /** The span from the first request to the last, in ms. */
  public long spanMs() {
    List<Long> sorted = new ArrayList<>(arrivals);
    return sorted.isEmpty() ? 0 : Collections.max(sorted) - Collections.min(sorted);
  }

  @Override
  protected void handle(HttpServerRequest request) {
    long nowMs = System.currentTimeMillis();
    arrivals.add(nowMs);
    long current = nowMs / windowMs;
    if (current != window) {
      window = current;
      counted = 0;
    }
    long resetMs = (current + 1) * windowMs;
    boolean allowed = counted < limit;
    if (allowed) {
      counted++;
    }
    HttpServerResponse response = request.response().putHeader("content-type", "application/json");
    budgetHeaders(response, limit - counted, resetMs, nowMs);
    if (!allowed) {
      refused.incrementAndGet();
      if (dialect == Dialect.GITHUB) {
        response.setStatusCode(403).end("{\"message\":\"API rate limit exceeded for 127.0.0.1.\","
          + "\"documentation_url\":\"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api\"}");
      } else {
        response.setStatusCode(429).end("{\"error\":\"rate limited\"}");
      }
      return;
    }
    String path = request.path();
    long id;
    try {
      id = Long.parseLong(path.substring(path.lastIndexOf('/') + 1));
    } catch (NumberFormatException e) {
      response.setStatusCode(400).end("{}");
      return;
    }
    answered.incrementAndGet();
    response.end(FakeDirectory.user(id).encode());
  }

  private void budgetHeaders(HttpServerResponse response, int remaining, long resetMs, long nowMs) {
    switch (dialect) {
      case OKTA -> response.putHeader("Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(nowMs).atOffset(ZoneOffset.UTC)))
        .putHeader("X-Rate-Limit-Limit", Integer.toString(limit))
        .putHeader("X-Rate-Limit-Remaining", Integer.toString(remaining))
        .putHeader("X-Rate-Limit-Reset", Long.toString(resetMs / 1000));
      case DRAFT -> response.putHeader("RateLimit-Policy", "\"default\";q=" + limit + ";w=" + windowMs / 1000)
        .putHeader("RateLimit", "\"default\";r=" + remaining + ";t=" + (resetMs - nowMs) / 1000);
      case GITHUB -> response.putHeader("x-ratelimit-limit", Integer.toString(limit))
        .putHeader("x-ratelimit-remaining", Integer.toString(remaining))
        .putHeader("x-ratelimit-used", Integer.toString(limit - remaining))
        .putHeader("x-ratelimit-reset", Long.toString(resetMs / 1000));
      default -> throw new IllegalStateException();
    }
  }
}
