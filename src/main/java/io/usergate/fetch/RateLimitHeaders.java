package io.usergate.fetch;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the directory said of its rate limit in one answer, in whichever dialect it speaks: how many calls
 * its window allows ({@link #limit}), how many are left ({@link #remaining}), in how many milliseconds the
 * window resets ({@link #resetMs}), the window's length when a policy gives it ({@link #windowSeconds}), and
 * its {@code Retry-After} ({@link #retryAfterMs}). -1 wherever it said nothing, or nothing usable: a value
 * that does not parse is ignored, never an exception, never a log line.
 *
 * <p>The dialects, read in this order (the first that gives a remaining count wins):
 * <ul>
 *   <li>{@code RateLimit: "default";r=50;t=30} with {@code RateLimit-Policy: "default";q=100;w=60} (the IETF
 *   httpapi draft, -08 on: structured-field lists; with several policies the one that leaves the slowest pace
 *   wins), and the draft -07 dictionary {@code RateLimit: limit=100, remaining=50, reset=30};</li>
 *   <li>{@code RateLimit-Limit}, {@code RateLimit-Remaining}, {@code RateLimit-Reset} (the draft up to -06; a
 *   limit may carry its window, {@code 100, 100;w=60});</li>
 *   <li>{@code X-RateLimit-Limit/-Remaining/-Reset} (GitHub, Auth0);</li>
 *   <li>{@code X-Rate-Limit-Limit/-Remaining/-Reset} (Okta).</li>
 * </ul>
 *
 * <p>A reset is seconds from now or a Unix time, told apart by size: below 10^9 it is seconds from now (10^9
 * seconds are 31 years, longer than any window); from 10^9 (September 2001 as a Unix time) it is Unix seconds;
 * from 10^12 Unix milliseconds. A Unix time, or an HTTP-date, is counted from the answer's own {@code Date}
 * when it has one (the directory's clock on both sides, so the two clocks' skew drops out), else from ours.
 * A reset in the past is 0; one more than a day away is not plausible and is ignored. A fraction of a second
 * is read where sent ({@code 1.5}). A reset may be up to a second earlier than said ({@link #resetMayBeEarly})
 * when it is whole seconds from now (a directory may round down), or a Unix time or date with no {@code Date}
 * to count it from (the clocks' skew); a Unix time counted from a {@code Date} errs the other way (the
 * {@code Date} is truncated to the second), as does a window.
 */
record RateLimitHeaders(long limit, long remaining, long resetMs, boolean resetInWholeSeconds, boolean resetMayBeEarly,
                        long windowSeconds, long retryAfterMs) {

  /** Nothing said. */
  static final RateLimitHeaders NONE = new RateLimitHeaders(-1, -1, -1, false, false, -1, -1);

  private static final long MAX_RESET_MS = 86_400_000L;
  private static final int MAX_FIELD_CHARS = 1024;
  private static final int BODY_CHARS_READ = 4096;
  /** What a 403's body says when it is a rate limit (Google's reasons, GitHub's messages), lower case. */
  private static final List<String> RATE_LIMIT_WORDS = List.of("ratelimitexceeded", "rate limit exceeded",
    "rate_limit_exceeded", "secondary rate limit", "dailylimitexceeded", "quotaexceeded");

  private record Member(String value, Map<String, String> params) {
  }

  /** Whether it said how many calls are left and when they are renewed (a reset, or at least a window). */
  boolean hasBudget() {
    return remaining >= 0 && (resetMs >= 0 || windowSeconds > 0);
  }

  /** Milliseconds until more calls are allowed: the reset, else the window (-1: neither said). */
  long renewalMs() {
    return resetMs >= 0 ? resetMs : windowSeconds > 0 ? windowSeconds * 1000 : -1;
  }

  /**
   * Whether an answer with {@code status} and {@code body} is the directory refusing for its rate limit: a 429,
   * or a 403 that says so (GitHub's primary limit: no calls remaining; its secondary limit, Google's
   * {@code userRateLimitExceeded} and {@code rateLimitExceeded}: in the body).
   */
  boolean refusal(int status, Buffer body) {
    return status == 429 || status == 403 && (remaining == 0 || namesRateLimit(body));
  }

  /** Whether {@code body} (its first 4 KB) names a rate limit. */
  static boolean namesRateLimit(Buffer body) {
    if (body == null || body.length() == 0) {
      return false;
    }
    int length = Math.min(body.length(), BODY_CHARS_READ);
    String text = body.getString(0, length, StandardCharsets.UTF_8.name()).toLowerCase(Locale.ROOT);
    return RATE_LIMIT_WORDS.stream().anyMatch(text::contains);
  }

  /** What {@code headers} say, {@code now} being when the answer came. Never throws. */
  static RateLimitHeaders read(MultiMap headers, Instant now) {
    try {
      Instant dated = directoryNow(headers.get("Date"), now);
      Instant reference = dated == null ? now : dated;
      long retryAfter = UpstreamPause.parseRetryAfterMs(field(headers, "Retry-After"), now);
      boolean fromDate = dated != null;
      RateLimitHeaders said = structured(field(headers, "RateLimit"), field(headers, "RateLimit-Policy"), reference, fromDate);
      if (said == null) {
        said = trio(headers, "RateLimit-", field(headers, "RateLimit-Policy"), reference, fromDate);
      }
      if (said == null) {
        said = trio(headers, "X-RateLimit-", null, reference, fromDate);
      }
      if (said == null) {
        said = trio(headers, "X-Rate-Limit-", null, reference, fromDate);
      }
      if (said == null) {
        return retryAfter < 0 ? NONE : new RateLimitHeaders(-1, -1, -1, false, false, -1, retryAfter);
      }
      return new RateLimitHeaders(said.limit, said.remaining, said.resetMs, said.resetInWholeSeconds, said.resetMayBeEarly,
        said.windowSeconds, retryAfter);
    } catch (RuntimeException garbage) {
      // A directory's header must never fail a call: what could not be read was not said.
      return NONE;
    }
  }

  /** The directory's clock when it answered: its {@code Date}, when it sent one that parses; else null. */
  private static Instant directoryNow(String date, Instant now) {
    return date == null ? null : UpstreamPause.httpDate(date, now);
  }

  /** The value of a header, all its lines joined as one list; null when absent or absurdly long. */
  private static String field(MultiMap headers, String name) {
    List<String> lines = headers.getAll(name);
    if (lines.isEmpty()) {
      return null;
    }
    String value = String.join(",", lines);
    return value.length() > MAX_FIELD_CHARS ? null : value;
  }

  /** {@code RateLimit} as the draft's list of items (-08 on) or its dictionary (-07); null when neither. */
  private static RateLimitHeaders structured(String rateLimit, String policyField, Instant reference, boolean fromDate) {
    if (rateLimit == null) {
      return null;
    }
    List<Member> members = members(rateLimit);
    Map<String, Member> policies = new HashMap<>();
    if (policyField != null) {
      for (Member policy : members(policyField)) {
        policies.putIfAbsent(policy.value, policy);
      }
    }
    RateLimitHeaders slowest = null;
    double slowestPace = Double.MAX_VALUE;
    for (Member item : members) {
      long remaining = count(item.params.get("r"));
      if (remaining < 0) {
        continue;
      }
      Member policy = policies.get(item.value);
      long limit = policy == null ? -1 : count(policy.params.get("q"));
      long window = policy == null ? -1 : count(policy.params.get("w"));
      String t = item.params.get("t");
      long reset = t == null ? -1 : resetMs(t, reference);
      RateLimitHeaders said = new RateLimitHeaders(limit, remaining, reset, reset >= 0 && isWhole(t),
        reset >= 0 && mayBeEarly(t, fromDate), window > 0 ? window : -1, -1);
      long renewal = said.renewalMs();
      // Calls per millisecond until the renewal: the policy that allows the slowest pace binds.
      double pace = renewal < 0 ? Double.MAX_VALUE - 1 : remaining / (double) Math.max(1, renewal);
      if (slowest == null || pace < slowestPace || pace == slowestPace && renewal > slowest.renewalMs()) {
        slowest = said;
        slowestPace = pace;
      }
    }
    if (slowest != null) {
      return slowest;
    }
    // Draft -07: RateLimit: limit=100, remaining=50, reset=30 (a dictionary).
    Map<String, String> dictionary = new HashMap<>();
    for (Member member : members) {
      int equals = member.value.indexOf('=');
      if (equals > 0) {
        dictionary.put(member.value.substring(0, equals).strip(), member.value.substring(equals + 1).strip());
      }
    }
    long remaining = count(dictionary.get("remaining"));
    if (remaining < 0) {
      return null;
    }
    String reset = dictionary.get("reset");
    long resetMs = reset == null ? -1 : resetMs(reset, reference);
    return new RateLimitHeaders(count(dictionary.get("limit")), remaining, resetMs, resetMs >= 0 && isWhole(reset),
      resetMs >= 0 && mayBeEarly(reset, fromDate), windowOf(policyField), -1);
  }

  /** {@code <prefix>Limit}, {@code <prefix>Remaining}, {@code <prefix>Reset}; null without a remaining count. */
  private static RateLimitHeaders trio(MultiMap headers, String prefix, String policyField, Instant reference,
                                       boolean fromDate) {
    String remainingField = field(headers, prefix + "Remaining");
    if (remainingField == null) {
      return null;
    }
    List<Member> remainingMembers = members(remainingField);
    long remaining = remainingMembers.isEmpty() ? -1 : count(remainingMembers.get(0).value);
    if (remaining < 0) {
      return null;
    }
    long limit = -1;
    long window = -1;
    String limitField = field(headers, prefix + "Limit");
    if (limitField != null) {
      List<Member> limits = members(limitField);
      limit = limits.isEmpty() ? -1 : count(limits.get(0).value);
      // Draft -03: RateLimit-Limit: 100, 100;w=60 (the limit, then the policies; the one of the same quota gives the window).
      for (Member member : limits) {
        long w = count(member.params.get("w"));
        if (w > 0 && (window < 0 || count(member.value) == limit)) {
          window = w;
        }
      }
    }
    if (window < 0) {
      window = windowOf(policyField);
    }
    String reset = field(headers, prefix + "Reset");
    List<Member> resets = reset == null ? List.of() : members(reset);
    String resetValue = resets.size() == 1 ? resets.get(0).value : reset;  // an HTTP-date holds a comma
    long resetMs = resetValue == null ? -1 : resetMs(resetValue, reference);
    return new RateLimitHeaders(limit, remaining, resetMs, resetMs >= 0 && isWhole(resetValue),
      resetMs >= 0 && mayBeEarly(resetValue, fromDate), window, -1);
  }

  /** The window of the first policy of a {@code RateLimit-Policy} ({@code 100;w=60} or {@code "p";q=100;w=60}). */
  private static long windowOf(String policyField) {
    if (policyField == null) {
      return -1;
    }
    List<Member> policies = members(policyField);
    long window = policies.isEmpty() ? -1 : count(policies.get(0).params.get("w"));
    return window > 0 ? window : -1;
  }

  /**
   * A reset in milliseconds from when the answer came: seconds from now below 10^9, Unix seconds from 10^9,
   * Unix milliseconds from 10^12 (a Unix time counted from {@code reference}, the directory's clock), or an
   * HTTP-date. 0 when in the past; -1 when it does not parse or is more than a day away.
   */
  static long resetMs(String value, Instant reference) {
    String text = value.strip();
    if (text.startsWith("\"") && text.endsWith("\"") && text.length() >= 2) {
      text = text.substring(1, text.length() - 1).strip();
    }
    double number = number(text);
    long ms;
    if (!Double.isNaN(number)) {
      if (number >= 1e12) {
        ms = (long) number - reference.toEpochMilli();
      } else if (number >= 1e9) {
        ms = (long) Math.ceil(number * 1000) - reference.toEpochMilli();
      } else {
        ms = (long) Math.ceil(number * 1000);
      }
    } else {
      Instant at = UpstreamPause.httpDate(text, reference);
      if (at == null) {
        return -1;
      }
      ms = at.toEpochMilli() - reference.toEpochMilli();
    }
    if (ms > MAX_RESET_MS) {
      return -1;
    }
    return Math.max(0, ms);
  }

  /** A count: a non-negative integer below 10^15; -1 for anything else. */
  private static long count(String value) {
    if (value == null) {
      return -1;
    }
    String text = value.strip();
    if (text.isEmpty() || text.length() > 15) {
      return -1;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
    }
    return Long.parseLong(text);
  }

  /** Digits, or digits, a point and digits, at most 20 characters; NaN for anything else. */
  private static double number(String text) {
    if (text.isEmpty() || text.length() > 20) {
      return Double.NaN;
    }
    int points = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '.') {
        points++;
        if (i == 0 || i == text.length() - 1 || points > 1) {
          return Double.NaN;
        }
      } else if (c < '0' || c > '9') {
        return Double.NaN;
      }
    }
    return Double.parseDouble(text);
  }

  /**
   * Whether a reset may really come up to a second before it says: whole seconds from now (perhaps rounded
   * down), or a Unix time or date counted from our clock for want of a {@code Date}.
   */
  private static boolean mayBeEarly(String value, boolean fromDate) {
    String text = value.strip().replace("\"", "");
    double number = number(text);
    if (!Double.isNaN(number) && number < 1e9) {
      return text.indexOf('.') < 0;
    }
    return !fromDate;
  }

  /** Whether a reset was given in whole seconds (a number without a fraction below 10^12, or an HTTP-date). */
  private static boolean isWhole(String value) {
    String text = value.strip().replace("\"", "");
    double number = number(text);
    return Double.isNaN(number) || text.indexOf('.') < 0 && number < 1e12;
  }

  /**
   * A structured-field list (RFC 8941), leniently: members split at commas outside quotes, each a bare item
   * (quotes removed) and its {@code ;key=value} parameters. Enough for the draft's fields; never throws.
   */
  private static List<Member> members(String field) {
    List<Member> members = new ArrayList<>();
    for (String part : split(field, ',')) {
      List<String> pieces = split(part, ';');
      if (pieces.isEmpty() || pieces.get(0).isBlank()) {
        continue;
      }
      Map<String, String> params = new HashMap<>();
      for (String piece : pieces.subList(1, pieces.size())) {
        int equals = piece.indexOf('=');
        if (equals > 0) {
          params.put(piece.substring(0, equals).strip().toLowerCase(Locale.ROOT), unquote(piece.substring(equals + 1)));
        } else if (!piece.isBlank()) {
          params.put(piece.strip().toLowerCase(Locale.ROOT), "?1");
        }
      }
      members.add(new Member(unquote(pieces.get(0)), params));
    }
    return members;
  }

  private static String unquote(String value) {
    String text = value.strip();
    return text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"") ? text.substring(1, text.length() - 1) : text;
  }

  private static List<String> split(String text, char separator) {
    List<String> parts = new ArrayList<>();
    boolean quoted = false;
    int from = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == separator && !quoted) {
        parts.add(text.substring(from, i));
        from = i + 1;
      }
    }
    parts.add(text.substring(from));
    return parts;
  }
}
