package io.usergate.fetch;

import io.usergate.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The budget the directory announces in its rate-limit headers ({@link RateLimitHeaders}), one per endpoint
 * ({@link #USER}, {@link #BULK}, {@link #LIST}: Okta, for one, keeps a budget for each), and when the next
 * call to an endpoint may leave so that the directory never has to answer 429:
 * <ul>
 *   <li>calls left, the reset {@code t} away: the calls are spread evenly over {@code t}, the next one
 *   {@code (t since the last call) / (calls left + 1)} after the last;</li>
 *   <li>none left: every call waits for the reset;</li>
 *   <li>no answer yet, or the reset passed with no answer since: one call at a time until an answer says where
 *   the window stands (one round trip per window at most, and no burst into a budget nobody knows yet: 64
 *   calls at once into a directory that allows 60 a window would earn 429s at start);</li>
 *   <li>answers that say nothing of a budget: no wait at all (the rate limiter, {@code upstream.maxRatePerSecond},
 *   still applies). The first call that got no answer (it failed, it timed out) lets the others go too.</li>
 * </ul>
 *
 * <p>Kept honest: a call counts against the budget from when it is let go until its answer comes, since the
 * figure in an answer cannot show the calls still on their way (what is left is the answer's figure less
 * the calls in flight). Answers come out of order: within one window (the same reset, give or take the
 * header's resolution) the lowest figure stands; an answer from an older window is ignored. A reset that may
 * be up to a second early ({@link RateLimitHeaders#resetMayBeEarly}: whole seconds from now, which a directory
 * may round down) gets a second more. {@code upstream.rateLimitReserve} calls of each window are never spent:
 * room for other clients of the same budget (the other nodes of a cluster) and for what the rules above
 * cannot see. A call that could not be sent gives its place back; one sent but never answered stays spent.
 *
 * <p>Waiters are served first in, first out, by one timer per endpoint. A waiter whose turn would come after
 * its deadline fails {@code UPSTREAM_UNAVAILABLE} at once, or as soon as an answer makes it so.
 *
 * <p>Confined to one Vert.x context (the fetch verticle's): no locks, no atomics.
 */
final class DirectoryBudget {

  static final String USER = "user";
  static final String BULK = "bulk";
  static final String LIST = "list";

  static final String ENABLED_KEY = "upstream.rateLimitHeaders";
  static final String RESERVE_KEY = "upstream.rateLimitReserve";

  private static final long SECOND_NANOS = 1_000_000_000L;
  /** How far apart two answers' resets may be and still name one window, when given to the millisecond. */
  private static final long FINE_TOLERANCE_NANOS = 100_000_000L;
  /** {@link #dueAt}: no time is known, an answer must come first. */
  private static final long AWAIT_ANSWER = Long.MAX_VALUE;

  private enum State {
    /** Answers that say nothing of a budget: no wait. */
    FREE,
    /** A budget and its reset are known. */
    KNOWN,
    /** No answer yet, or the reset passed with no answer since: one call at a time until one comes. */
    PROBING
  }

  private static final class Endpoint {
    final String name;
    final LinkedHashSet<DeadlineWaiter<Slot>> waiters = new LinkedHashSet<>();
    State state = State.PROBING;
    /** Calls that may still leave before the reset (the reserve included). */
    long remaining;
    long resetAt;
    /** A new window for each new reset: a slot given back counts only in the window it was taken from. */
    long window;
    /** When the last call of this window left; none yet: the next may leave at once. */
    boolean departed;
    long lastDeparture;
    int inFlight;
    long limit = -1;
    long windowSeconds = -1;
    WakeTimer timer;

    Endpoint(String name) {
      this.name = name;
    }
  }

  /**
   * One call's place in its endpoint's budget, from when it is let go: {@link #sent} when its request leaves,
   * {@link #answered} with what the answer said, {@link #close} when the attempt is over, whatever happened.
   */
  final class Slot {
    private final Endpoint endpoint;
    private final long window;
    private boolean sent;
    private boolean done;

    private Slot(Endpoint endpoint) {
      this.endpoint = endpoint;
      this.window = endpoint == null ? 0 : endpoint.window;
    }

    void sent() {
      sent = true;
    }

    void answered(RateLimitHeaders said) {
      if (endpoint != null && !done) {
        done = true;
        DirectoryBudget.this.answered(endpoint, said);
      }
    }

    /** Never sent: its place is given back; sent and never answered: it stays spent. */
    void close() {
      if (endpoint != null && !done) {
        done = true;
        DirectoryBudget.this.closed(endpoint, sent ? -1 : window);
      }
    }
  }

  private final Vertx vertx;
  private final boolean enabled;
  private final int reserve;
  private final LongSupplier nanoClock;
  private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
  private final Slot none = new Slot(null);

  /** {@code enabled} false: every call goes at once, the headers are not read. */
  DirectoryBudget(Vertx vertx, boolean enabled, int reserve, LongSupplier nanoClock) {
    if (reserve < 0) {
      throw new IllegalArgumentException(RESERVE_KEY + " must not be negative, not " + reserve);
    }
    this.vertx = vertx;
    this.enabled = enabled;
    this.reserve = reserve;
    this.nanoClock = nanoClock;
  }

  /**
   * A place for one call to {@code endpoint}, now or when its turn comes. Fails {@code UPSTREAM_UNAVAILABLE}
   * when the turn would come later than {@code maxWaitMs} from now (at once, or as soon as an answer makes it
   * so); with a {@link CancelledException} when {@code cancellation} fires first.
   */
  Future<Slot> await(String endpoint, long maxWaitMs, Cancellation cancellation) {
    if (cancellation.isCancelled()) {
      return Future.failedFuture(new CancelledException());
    }
    if (!enabled) {
      return Future.succeededFuture(none);
    }
    Endpoint e = endpoints.computeIfAbsent(endpoint, this::endpoint);
    long now = nanoClock.getAsLong();
    if (e.waiters.isEmpty()) {
      long at = dueAt(e, now);
      if (at != AWAIT_ANSWER && at - now <= 0) {
        return Future.succeededFuture(depart(e, now));
      }
    }
    DeadlineWaiter<Slot> waiter = new DeadlineWaiter<>(maxWaitMs, now);
    long turn = estimate(e, now, e.waiters.size());
    if (turn != AWAIT_ANSWER && turn - waiter.deadline > 0) {
      return Future.failedFuture(unavailable(e, turn - now, waiter.maxWaitMs));
    }
    e.waiters.add(waiter);
    cancellation.onCancel(() -> {
      if (e.waiters.remove(waiter)) {
        waiter.promise.fail(new CancelledException());
        arm(e, nanoClock.getAsLong());
      }
    });
    arm(e, now);
    return waiter.promise.future();
  }

  /** Whether calls to {@code endpoint} now wait for its reset: the directory's budget is spent. */
  boolean exhausted(String endpoint) {
    Endpoint e = endpoints.get(endpoint);
    if (e == null || e.state != State.KNOWN) {
      return false;
    }
    long now = nanoClock.getAsLong();
    return now - e.resetAt < 0 && e.remaining - reserve <= 0;
  }

  /** Calls waiting for their turn, over every endpoint (for a gauge). */
  int waiting() {
    return endpoints.values().stream().mapToInt(e -> e.waiters.size()).sum();
  }

  /** Where each endpoint's budget stands, for {@code /status}. */
  JsonObject status() {
    JsonObject status = new JsonObject();
    long now = nanoClock.getAsLong();
    endpoints.values().forEach(e -> {
      JsonObject one = new JsonObject().put("state", e.state.name().toLowerCase(Locale.ROOT)).put("inFlight", e.inFlight)
        .put("waiting", e.waiters.size());
      if (e.state == State.KNOWN) {
        one.put("remaining", Math.max(0, e.remaining)).put("resetInMs", Math.max(0, (e.resetAt - now) / 1_000_000));
      }
      if (e.limit >= 0) {
        one.put("limit", e.limit);
      }
      if (e.windowSeconds > 0) {
        one.put("windowSeconds", e.windowSeconds);
      }
      status.put(e.name, one);
    });
    return status;
  }

  /** When the next call to {@code e} may leave ({@link #AWAIT_ANSWER}: once an answer comes). */
  private long dueAt(Endpoint e, long now) {
    if (e.state == State.KNOWN && now - e.resetAt >= 0) {
      // The window ended and no answer says what the new one holds: ask once before anything else.
      e.state = State.PROBING;
    }
    switch (e.state) {
      case FREE:
        return now;
      case PROBING:
        return e.inFlight == 0 ? now : AWAIT_ANSWER;
      default:
        long usable = e.remaining - reserve;
        if (usable <= 0) {
          return e.resetAt;
        }
        if (!e.departed) {
          return now;
        }
        // The last call and the usable ones after it, evenly spread over the time from it to the reset.
        long next = e.lastDeparture + (e.resetAt - e.lastDeparture) / (usable + 1);
        return next - now > 0 ? next : now;
    }
  }

  /** When the waiter at {@code position} should get its turn, as things stand; {@link #AWAIT_ANSWER} when unknown. */
  private long estimate(Endpoint e, long now, int position) {
    long at = dueAt(e, now);
    if (at == AWAIT_ANSWER) {
      return AWAIT_ANSWER;
    }
    if (e.state != State.KNOWN) {
      return e.state == State.FREE || position == 0 ? at : AWAIT_ANSWER;
    }
    long usable = e.remaining - reserve;
    if (usable <= 0 || position >= usable) {
      return e.resetAt;
    }
    long base = at - now > 0 ? at : now;
    return base + position * ((e.resetAt - base) / usable);
  }

  private Slot depart(Endpoint e, long now) {
    e.inFlight++;
    if (e.state == State.KNOWN) {
      e.remaining--;
      e.departed = true;
      e.lastDeparture = now;
    }
    return new Slot(e);
  }

  private void answered(Endpoint e, RateLimitHeaders said) {
    e.inFlight--;
    long now = nanoClock.getAsLong();
    if (said.hasBudget()) {
      boolean whole = said.resetMs() < 0 || said.resetInWholeSeconds();
      long resetAt = now + said.renewalMs() * 1_000_000 + (said.resetMayBeEarly() ? SECOND_NANOS : 0);
      long tolerance = whole ? SECOND_NANOS : FINE_TOLERANCE_NANOS;
      // The calls still on their way are not in the answer's figure yet.
      long left = said.remaining() - e.inFlight;
      if (e.state != State.KNOWN || resetAt - e.resetAt > tolerance) {
        e.state = State.KNOWN;
        e.remaining = left;
        e.resetAt = resetAt;
        e.departed = false;
        e.window++;
      } else if (e.resetAt - resetAt <= tolerance) {
        e.remaining = Math.min(e.remaining, left);
        e.resetAt = Math.max(e.resetAt, resetAt);
      }
      // else: an answer from an older window, overtaken by newer ones: nothing it says holds any more
      e.limit = said.limit();
      e.windowSeconds = said.windowSeconds();
    } else if (e.state == State.PROBING) {
      e.state = State.FREE;
    }
    serve(e);
  }

  /** An attempt over without an answer: {@code window} the slot's when it was never sent (its place given back), else -1. */
  private void closed(Endpoint e, long window) {
    e.inFlight--;
    if (window >= 0 && e.state == State.KNOWN && window == e.window) {
      e.remaining++;
    } else if (window < 0 && e.state == State.PROBING) {
      // The call that was to say where the budget stands got no answer: no reason to hold the others back.
      e.state = State.FREE;
    }
    serve(e);
  }

  private Endpoint endpoint(String name) {
    Endpoint e = new Endpoint(name);
    e.timer = new WakeTimer(vertx, () -> serve(e));
    return e;
  }

  /** Fails the waiters who can no longer have their turn in time, lets go those whose turn came, arms the timer. */
  private void serve(Endpoint e) {
    long now = nanoClock.getAsLong();
    int position = 0;
    for (DeadlineWaiter<Slot> waiter : new ArrayList<>(e.waiters)) {
      long turn = estimate(e, now, position);
      if (turn != AWAIT_ANSWER && turn - waiter.deadline > 0 && e.waiters.remove(waiter)) {
        waiter.promise.fail(unavailable(e, turn - now, waiter.maxWaitMs));
      } else {
        position++;
      }
    }
    while (!e.waiters.isEmpty()) {
      long at = dueAt(e, now);
      if (at == AWAIT_ANSWER || at - now > 0) {
        break;
      }
      // A fresh iterator each time: completing a waiter runs its callbacks, which may touch the queue.
      DeadlineWaiter<Slot> head = e.waiters.iterator().next();
      e.waiters.remove(head);
      head.promise.complete(depart(e, now));
    }
    arm(e, nanoClock.getAsLong());
  }

  /** One timer per endpoint, for its head's turn; armed again at every change, since an answer may bring the turn closer. */
  private void arm(Endpoint e, long now) {
    e.timer.cancel();
    if (e.waiters.isEmpty()) {
      return;
    }
    long at = dueAt(e, now);
    if (at == AWAIT_ANSWER) {
      return;
    }
    e.timer.armAt(at, now);
  }

  private static RuntimeException unavailable(Endpoint e, long leftNanos, long maxWaitMs) {
    long ms = Math.max(1, (leftNanos + 999_999) / 1_000_000);
    return ErrorCode.UPSTREAM_UNAVAILABLE.error("the directory's rate limit (its headers) lets the next " + e.name
      + " call go in " + ms + " ms, later than this request may wait (" + maxWaitMs + " ms)");
  }
}
