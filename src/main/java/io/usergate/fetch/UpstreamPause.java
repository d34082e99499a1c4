package io.usergate.fetch;

import io.usergate.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * The directory's {@code Retry-After} (on a 429 or a 503) as a pause of every upstream call until then,
 * capped by {@code upstream.maxPauseMs}. A new {@code Retry-After} extends a running pause, never shortens
 * it. Callers wait with {@link #awaitResume}; one timer, for the end of the pause, resolves them all.
 * A caller whose wait would end before the pause does fails {@code UPSTREAM_UNAVAILABLE} at once, or as
 * soon as an extension makes it so: there is no timer per waiter.
 *
 * <p>Confined to one Vert.x context (the fetch verticle's): no locks, no atomics.
 */
final class UpstreamPause {

  static final String MAX_PAUSE_KEY = "upstream.maxPauseMs";
  static final long DEFAULT_MAX_PAUSE_MS = 60_000;

  private static final Pattern WEEKDAY = Pattern.compile("^(?i)(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\\s*");
  private static final Pattern SPACES = Pattern.compile("\\s+");
  /** asctime-date without its weekday: {@code Nov 6 08:49:37 1994} (the padding space collapsed). */
  private static final DateTimeFormatter ASCTIME = new DateTimeFormatterBuilder()
    .parseCaseInsensitive().appendPattern("MMM d HH:mm:ss uuuu").toFormatter(Locale.ENGLISH);
  /** rfc850-date without its weekday, when the year has four digits: {@code 06-Nov-1994 08:49:37 GMT}. */
  private static final DateTimeFormatter RFC_850_FULL_YEAR = new DateTimeFormatterBuilder()
    .parseCaseInsensitive().appendPattern("d-MMM-uuuu HH:mm:ss 'GMT'").toFormatter(Locale.ENGLISH);

  private final long maxPauseMs;
  private final LongSupplier nanoClock;
  private final LinkedHashSet<DeadlineWaiter<Void>> waiters = new LinkedHashSet<>();
  /** The latest pause, [start, end) on the nano clock; start == end before the first. */
  private long pauseStart;
  private long pauseEnd;
  /** Nanoseconds paused by the pauses before the latest one. */
  private long closedPausesNanos;
  private final WakeTimer timer;

  UpstreamPause(Vertx vertx, long maxPauseMs) {
    this(vertx, maxPauseMs, System::nanoTime);
  }

  /** {@code maxPauseMs} 0 ignores every {@code Retry-After}. */
  UpstreamPause(Vertx vertx, long maxPauseMs, LongSupplier nanoClock) {
    if (maxPauseMs < 0 || maxPauseMs > 1_000_000_000_000L) {
      throw new IllegalArgumentException(MAX_PAUSE_KEY + " must be between 0 and 10^12, not " + maxPauseMs);
    }
    this.timer = new WakeTimer(vertx, this::resume);
    this.maxPauseMs = maxPauseMs;
    this.nanoClock = nanoClock;
    this.pauseStart = nanoClock.getAsLong();
    this.pauseEnd = pauseStart;
  }

  /**
   * A {@code Retry-After} value in milliseconds from {@code now}: delta-seconds ({@code 120}; a decimal
   * fraction too, {@code 2.128}, as Microsoft Graph sends, rounded up to the millisecond) or an HTTP-date (RFC 9110 §5.6.7: IMF-fixdate, and the obsolete rfc850-date and asctime-date, plus what
   * {@link DateTimeFormatter#RFC_1123_DATE_TIME} accepts: no weekday, a one-digit day, no seconds, a
   * numeric offset; a weekday that does not match the date is ignored). 0 for a date in the past; a
   * delta too large for a {@code long} is {@link Long#MAX_VALUE} (RFC 9111 §1.2.2), for
   * {@link #pauseFor} to cap. -1 for anything else (absent, empty, negative, malformed): the header is
   * then ignored. Never throws.
   */
  static long parseRetryAfterMs(String header, Instant now) {
    if (header == null) {
      return -1;
    }
    String value = header.strip();
    if (value.isEmpty()) {
      return -1;
    }
    if (isDigits(value)) {
      return deltaSecondsMs(value);
    }
    long fractional = fractionalSecondsMs(value);
    if (fractional >= 0) {
      return fractional;
    }
    Instant at = httpDate(value, now);
    if (at == null) {
      return -1;
    }
    return Math.max(0, Duration.between(now, at).toMillis());
  }

  /**
   * Pauses every upstream call for {@code ms} (capped by {@code upstream.maxPauseMs}), or until the running
   * pause ends if that is later. {@code ms} of 0 or less (no header, a malformed one, a date in the past)
   * changes nothing.
   */
  void pauseFor(long ms) {
    if (ms <= 0 || maxPauseMs == 0) {
      return;
    }
    long now = nanoClock.getAsLong();
    long end = now + Math.min(ms, maxPauseMs) * 1_000_000;
    if (now - pauseEnd >= 0) {
      closedPausesNanos += pauseEnd - pauseStart;
      pauseStart = now;
      pauseEnd = end;
    } else if (end - pauseEnd > 0) {
      pauseEnd = end;
    } else {
      return;
    }
    // Those who cannot wait that long learn it now, not when their own time is up.
    for (DeadlineWaiter<Void> waiter : new ArrayList<>(waiters)) {
      if (waiter.deadline - pauseEnd < 0 && waiters.remove(waiter)) {
        waiter.promise.fail(unavailable(pauseEnd - now, waiter.maxWaitMs));
      }
    }
    armTimer(now);
  }

  /** Whether upstream calls are paused now. */
  boolean paused() {
    return nanoClock.getAsLong() - pauseEnd < 0;
  }

  /** Milliseconds until the pause ends (rounded up); 0 when not paused. */
  long remainingMs() {
    long left = pauseEnd - nanoClock.getAsLong();
    return left <= 0 ? 0 : (left + 999_999) / 1_000_000;
  }

  /**
   * Completes when the pause ends (at once when there is none). Fails with {@code UPSTREAM_UNAVAILABLE},
   * whose message says how many seconds remain, when the pause lasts longer than {@code maxWaitMs} (at
   * once, or as soon as an extension makes it so); with a {@link CancelledException} when
   * {@code cancellation} fires first.
   */
  Future<Void> awaitResume(long maxWaitMs, Cancellation cancellation) {
    if (cancellation.isCancelled()) {
      return Future.failedFuture(new CancelledException());
    }
    long now = nanoClock.getAsLong();
    long left = pauseEnd - now;
    if (left <= 0) {
      return Future.succeededFuture();
    }
    DeadlineWaiter<Void> waiter = new DeadlineWaiter<>(maxWaitMs, now);
    if (waiter.deadline - pauseEnd < 0) {
      return Future.failedFuture(unavailable(left, waiter.maxWaitMs));
    }
    waiters.add(waiter);
    cancellation.onCancel(() -> {
      if (waiters.remove(waiter)) {
        waiter.promise.fail(new CancelledException());
      }
    });
    armTimer(now);
    return waiter.promise.future();
  }

  /** Callers waiting for the pause to end (for a gauge). */
  int waiting() {
    return waiters.size();
  }

  /**
   * Milliseconds paused since the start, counting the running pause up to now, so it grows with the
   * time and never jumps ahead ({@code usergate_upstream_paused_seconds_total} is this / 1000).
   */
  long pausedMillisTotal() {
    long now = nanoClock.getAsLong();
    long latest = (now - pauseEnd < 0 ? now : pauseEnd) - pauseStart;
    return (closedPausesNanos + latest) / 1_000_000;
  }

  private void armTimer(long now) {
    if (timer.armed() || waiters.isEmpty()) {
      return;
    }
    timer.armAt(pauseEnd, now);
  }

  /** The timer fired: at the end of the pause, or at an end since extended. */
  private void resume() {
    while (!waiters.isEmpty() && !paused()) {
      // One at a time: a caller woken may meet a 429 at once and start a new pause for the others.
      DeadlineWaiter<Void> first = waiters.iterator().next();
      waiters.remove(first);
      first.promise.complete();
    }
    armTimer(nanoClock.getAsLong());
  }

  private static RuntimeException unavailable(long leftNanos, long maxWaitMs) {
    long seconds = (leftNanos + 999_999_999) / 1_000_000_000;
    return ErrorCode.UPSTREAM_UNAVAILABLE.error("the directory asked for a pause (Retry-After): " + seconds
      + " s remain, longer than this request may wait (" + maxWaitMs + " ms)");
  }

  private static boolean isDigits(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static long deltaSecondsMs(String digits) {
    long seconds = 0;
    for (int i = 0; i < digits.length(); i++) {
      seconds = seconds * 10 + (digits.charAt(i) - '0');
      if (seconds > Long.MAX_VALUE / 1000 / 10) {
        return Long.MAX_VALUE; // saturate rather than overflow; pauseFor caps it
      }
    }
    return seconds * 1000;
  }

  /**
   * {@code 2.128} (digits, a point, digits) in milliseconds, rounded up; -1 for anything else. Not HTTP's
   * delta-seconds, but what some directories send (Microsoft Graph).
   */
  static long fractionalSecondsMs(String value) {
    int point = value.indexOf('.');
    if (point <= 0 || point == value.length() - 1 || !isDigits(value.substring(0, point)) || !isDigits(value.substring(point + 1))) {
      return -1;
    }
    long wholeMs = deltaSecondsMs(value.substring(0, point));
    if (wholeMs == Long.MAX_VALUE) {
      return Long.MAX_VALUE;
    }
    String fraction = value.substring(point + 1);
    long ms = 0;
    for (int i = 0; i < 3; i++) {
      ms = ms * 10 + (i < fraction.length() ? fraction.charAt(i) - '0' : 0);
    }
    // Anything beyond the millisecond rounds up: waiting a little longer is the safe side.
    boolean beyond = fraction.length() > 3 && !fraction.substring(3).chars().allMatch(c -> c == '0');
    return wholeMs + ms + (beyond ? 1 : 0);
  }

  /**
   * The instant of an HTTP-date in any of its forms (see {@link #parseRetryAfterMs}), or null; {@code now}
   * places an rfc850-date's two-digit year. Also read by {@link RateLimitHeaders} (a reset given as a date,
   * the answer's {@code Date}).
   */
  static Instant httpDate(String value, Instant now) {
    if (value == null) {
      return null;
    }
    // Lenient: no weekday (RFC 1123 allows it), or a wrong one, is fine; runs of spaces are one.
    String date = SPACES.matcher(WEEKDAY.matcher(value.strip()).replaceFirst("")).replaceAll(" ");
    try {
      return DateTimeFormatter.RFC_1123_DATE_TIME.parse(date, Instant::from);
    } catch (DateTimeException notImfFixdate) {
      // try the obsolete forms
    }
    try {
      return rfc850(now).parse(date, LocalDateTime::from).toInstant(ZoneOffset.UTC);
    } catch (DateTimeException notRfc850) {
      // next one
    }
    try {
      return RFC_850_FULL_YEAR.parse(date, LocalDateTime::from).toInstant(ZoneOffset.UTC);
    } catch (DateTimeException notRfc850WithFullYear) {
      // next one
    }
    try {
      return ASCTIME.parse(date, LocalDateTime::from).toInstant(ZoneOffset.UTC);
    } catch (DateTimeException notAsctime) {
      return null;
    }
  }

  /**
   * rfc850-date without its weekday ({@code 06-Nov-94 08:49:37 GMT}). Its two-digit year is the one
   * within 50 years ahead of {@code now} or else in the past (RFC 9110 §5.6.7).
   */
  private static DateTimeFormatter rfc850(Instant now) {
    int year = now.atOffset(ZoneOffset.UTC).getYear();
    return new DateTimeFormatterBuilder()
      .parseCaseInsensitive()
      .appendPattern("d-MMM-")
      .appendValueReduced(ChronoField.YEAR, 2, 2, year - 49)
      .appendPattern(" HH:mm:ss 'GMT'")
      .toFormatter(Locale.ENGLISH);
  }
}
