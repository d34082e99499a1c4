package io.usergate.fetch;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateLimitHeadersTest {

  private static final Instant NOW = Instant.parse("2025-05-01T12:00:00Z");
  private static final long NOW_SECONDS = NOW.getEpochSecond();

  private static MultiMap headers(String... namesAndValues) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      headers.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return headers;
  }

  private static RateLimitHeaders read(String... namesAndValues) {
    return RateLimitHeaders.read(headers(namesAndValues), NOW);
  }

  @Test
  @DisplayName("Okta's X-Rate-Limit-* with a Unix reset, counted from the answer's Date when it has one")
  void okta() {
    RateLimitHeaders said = read("X-Rate-Limit-Limit", "600", "X-Rate-Limit-Remaining", "599",
      "X-Rate-Limit-Reset", Long.toString(NOW_SECONDS + 42));
    assertEquals(new RateLimitHeaders(600, 599, 42_000, true, true, -1, -1), said);
    assertTrue(said.hasBudget());
    // The directory's clock runs 100 s behind ours: its reset, 42 s after its Date, is still 42 s away.
    RateLimitHeaders skewed = read("Date", "Thu, 01 May 2025 11:58:20 GMT", "X-Rate-Limit-Limit", "600",
      "X-Rate-Limit-Remaining", "0", "X-Rate-Limit-Reset", Long.toString(NOW_SECONDS - 100 + 42));
    assertEquals(42_000, skewed.resetMs());
    assertEquals(0, skewed.remaining());
    assertFalse(skewed.resetMayBeEarly(), "counted from a Date truncated to the second, it can only be late");
    assertTrue(said.resetMayBeEarly(), "counted from our clock: the clocks' skew");
    assertTrue(read("RateLimit", "\"d\";r=1;t=2").resetMayBeEarly(), "whole seconds from now, perhaps rounded down");
    assertFalse(read("RateLimit", "\"d\";r=1;t=2.5").resetMayBeEarly(), "to the millisecond");
  }

  @Test
  @DisplayName("GitHub's and Auth0's X-RateLimit-* (Unix seconds), and Unix milliseconds from 10^12")
  void xRateLimit() {
    assertEquals(new RateLimitHeaders(5000, 4999, 3_600_000, true, true, -1, -1), read("x-ratelimit-limit", "5000",
      "x-ratelimit-remaining", "4999", "x-ratelimit-reset", Long.toString(NOW_SECONDS + 3600), "x-ratelimit-used", "1"));
    RateLimitHeaders millis = read("X-RateLimit-Remaining", "3", "X-RateLimit-Reset", Long.toString(NOW.toEpochMilli() + 1500));
    assertEquals(1500, millis.resetMs());
    assertFalse(millis.resetInWholeSeconds());
  }

  @Test
  @DisplayName("a reset below 10^9 is seconds from now (fractions too), from 10^9 a Unix time; past resets are 0, "
    + "more than a day away ignored")
  void resetRule() {
    assertEquals(30_000, RateLimitHeaders.resetMs("30", NOW));
    assertEquals(1_500, RateLimitHeaders.resetMs("1.5", NOW));
    assertEquals(2_129, RateLimitHeaders.resetMs("2.1281", NOW));
    assertEquals(86_400_000, RateLimitHeaders.resetMs("86400", NOW));
    assertEquals(-1, RateLimitHeaders.resetMs("86401", NOW), "a window longer than a day is not plausible");
    assertEquals(-1, RateLimitHeaders.resetMs("999999999", NOW), "just below 10^9: 31 years from now");
    assertEquals(0, RateLimitHeaders.resetMs("1000000000", NOW), "10^9: September 2001, in the past");
    assertEquals(10_000, RateLimitHeaders.resetMs(Long.toString(NOW_SECONDS + 10), NOW));
    assertEquals(0, RateLimitHeaders.resetMs(Long.toString(NOW_SECONDS - 10), NOW));
    assertEquals(3_000, RateLimitHeaders.resetMs("Thu, 01 May 2025 12:00:03 GMT", NOW), "an HTTP-date");
    for (String garbage : new String[] {"", " ", "-5", "+5", "5s", "1e3", "0x10", "1..5", ".5", "5.", "NaN", "∞",
      "99999999999999999999999", "Thu, 32 May 2025 12:00:03 GMT"}) {
      assertEquals(-1, RateLimitHeaders.resetMs(garbage, NOW), "reset " + garbage);
    }
  }

  @Test
  @DisplayName("the draft's RateLimit-Limit/-Remaining/-Reset (delta seconds), a window given with the limit or in RateLimit-Policy")
  void draftTrio() {
    assertEquals(new RateLimitHeaders(100, 50, 30_000, true, true, 60, -1),
      read("RateLimit-Limit", "100, 100;w=60", "RateLimit-Remaining", "50", "RateLimit-Reset", "30"));
    assertEquals(new RateLimitHeaders(10, 9, 1_000, true, true, 10, -1),
      read("RateLimit-Limit", "10", "RateLimit-Remaining", "9", "RateLimit-Reset", "1", "RateLimit-Policy", "10;w=10"));
  }

  @Test
  @DisplayName("the draft's RateLimit with RateLimit-Policy (structured fields): with several policies the slowest pace binds")
  void draftStructured() {
    assertEquals(new RateLimitHeaders(100, 50, 30_000, true, true, 60, -1),
      read("RateLimit", "\"default\";r=50;t=30", "RateLimit-Policy", "\"default\";q=100;w=60"));
    // 50 calls in 60 s against 900 in an hour: the hour binds (0.25 calls a second against 0.83).
    RateLimitHeaders two = read("RateLimit", "\"permin\";r=50;t=60, \"perhr\";r=900;t=3600",
      "RateLimit-Policy", "\"permin\";q=50;w=60,\"perhr\";q=1000;w=3600");
    assertEquals(new RateLimitHeaders(1000, 900, 3_600_000, true, true, 3600, -1), two);
    // Split over two lines, and a spent policy binds whatever the other says.
    MultiMap split = headers("RateLimit", "\"burst\";r=0;t=2", "RateLimit", "\"daily\";r=999;t=80000");
    assertEquals(0, RateLimitHeaders.read(split, NOW).remaining());
    assertEquals(2_000, RateLimitHeaders.read(split, NOW).resetMs());
    // No reset, only the policy's window: the window is when more calls come at the latest.
    RateLimitHeaders windowOnly = read("RateLimit", "\"default\";r=5", "RateLimit-Policy", "\"default\";q=10;w=10");
    assertTrue(windowOnly.hasBudget());
    assertEquals(10_000, windowOnly.renewalMs());
    // Draft -07's dictionary.
    assertEquals(new RateLimitHeaders(100, 50, 5_000, true, true, 10, -1),
      read("RateLimit", "limit=100, remaining=50, reset=5", "RateLimit-Policy", "100;w=10"));
  }

  @Test
  @DisplayName("Retry-After: delta seconds, fractional (Graph), or an HTTP-date, with or without a budget")
  void retryAfter() {
    assertEquals(2_128, read("Retry-After", "2.128").retryAfterMs());
    assertEquals(3_000, read("Retry-After", "Thu, 01 May 2025 12:00:03 GMT").retryAfterMs());
    RateLimitHeaders both = read("Retry-After", "7", "X-Rate-Limit-Remaining", "0", "X-Rate-Limit-Reset", "7");
    assertEquals(7_000, both.retryAfterMs());
    assertEquals(0, both.remaining());
    assertEquals(-1, read("Retry-After", "soon").retryAfterMs());
  }

  @Test
  @DisplayName("garbage in any header is ignored, never an exception: what cannot be read was not said")
  void garbage() {
    assertEquals(RateLimitHeaders.NONE, read());
    assertEquals(RateLimitHeaders.NONE, read("X-RateLimit-Remaining", "lots", "X-RateLimit-Reset", "soon"));
    assertEquals(RateLimitHeaders.NONE, read("X-Rate-Limit-Remaining", "-1"));
    assertEquals(RateLimitHeaders.NONE, read("RateLimit", "\"unterminated;r=5;t=", "RateLimit-Policy", ";;;,,,\"\""));
    assertEquals(RateLimitHeaders.NONE, read("RateLimit", "r=, t=", "RateLimit-Remaining", ""));
    assertEquals(RateLimitHeaders.NONE, read("X-RateLimit-Remaining", "9".repeat(2000)));
    RateLimitHeaders noReset = read("X-RateLimit-Remaining", "5", "X-RateLimit-Reset", "tomorrow", "X-RateLimit-Limit", "x");
    assertEquals(new RateLimitHeaders(-1, 5, -1, false, false, -1, -1), noReset);
    assertFalse(noReset.hasBudget(), "a count with no reset and no window says nothing of when calls come back");
  }

  @Test
  @DisplayName("a refusal is a 429, or a 403 that says so: no calls remaining (GitHub), or a body naming a rate limit "
    + "(Google's userRateLimitExceeded and rateLimitExceeded, GitHub's secondary limit); another 403 is not")
  void refusals() {
    RateLimitHeaders none = RateLimitHeaders.NONE;
    assertTrue(none.refusal(429, Buffer.buffer()));
    assertTrue(none.refusal(403, Buffer.buffer("{\"error\":{\"errors\":[{\"domain\":\"usageLimits\",\"reason\":"
      + "\"userRateLimitExceeded\"}],\"code\":403}}")));
    assertTrue(none.refusal(403, Buffer.buffer("{\"error\":{\"errors\":[{\"reason\":\"rateLimitExceeded\"}]}}")));
    assertTrue(none.refusal(403, Buffer.buffer("{\"message\":\"You have exceeded a secondary rate limit. Please wait a "
      + "few minutes before you try again.\",\"documentation_url\":\"https://docs.github.com/\"}")));
    assertTrue(none.refusal(403, Buffer.buffer("{\"message\":\"API rate limit exceeded for 203.0.113.7.\"}")));
    assertTrue(read("x-ratelimit-remaining", "0", "x-ratelimit-reset", Long.toString(NOW_SECONDS + 60))
      .refusal(403, Buffer.buffer("{\"message\":\"Forbidden\"}")));
    assertFalse(none.refusal(403, Buffer.buffer("{\"error\":\"insufficient scope\"}")));
    assertFalse(none.refusal(403, Buffer.buffer()));
    assertFalse(none.refusal(404, Buffer.buffer("rateLimitExceeded")));
    assertFalse(none.refusal(403, Buffer.buffer("x".repeat(5000) + "rateLimitExceeded")), "only the first 4 KB are read");
    assertFalse(none.refusal(403, Buffer.buffer(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1})));
  }
}
