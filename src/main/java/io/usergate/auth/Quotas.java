package io.usergate.auth;

import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The node's quotas ({@code ratePerSecond}), one {@link Quota} per caller: every request of a caller with a
 * quota, hits included (a hit is still personal data leaving), over the routes and the bridges, takes from
 * the same budget, whichever event loop serves it. One per Vert.x ({@link #of}); callers are keyed by their
 * name, which comes from the configuration or a verified token, so the map is as bounded as they are.
 */
public final class Quotas implements Shareable {

  /** The policy's name in the {@code RateLimit} and {@code RateLimit-Policy} fields. */
  public static final String POLICY = "default";

  /** A request over its caller's quota: how long to wait, and the policy it broke. */
  public record Exceeded(String caller, long retryAfterSeconds, String policy) {

    /** {@code RateLimit: "default";r=0;t=N}: nothing left for N seconds. */
    public String rateLimit() {
      return "\"" + POLICY + "\";r=0;t=" + retryAfterSeconds;
    }

    /** The 429 of the error contract, as the routes and the bridges send it. */
    public UsergateException error() {
      return ErrorCode.TOO_MANY_REQUESTS.error("the caller " + caller + " is over its quota (auth.callers ratePerSecond, "
        + "a second's worth at once); retry in " + retryAfterSeconds + " s");
    }
  }

  private final ConcurrentHashMap<String, Quota> byCaller = new ConcurrentHashMap<>();
  private final LongSupplier nanoClock;

  /** {@code nanoClock} is {@link System#nanoTime} but for tests, which move it by hand. */
  public Quotas(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  /** The node's quotas: every web instance and both bridges of this Vert.x share them. */
  public static Quotas of(Vertx vertx) {
    LocalMap<String, Quotas> shared = vertx.sharedData().getLocalMap("usergate.auth.quotas");
    return shared.computeIfAbsent("quotas", key -> new Quotas(System::nanoTime));
  }

  /**
   * One request of {@code caller}: null when it may go (always, for a caller without a quota), else why not.
   */
  public Exceeded take(Caller caller) {
    double rate = caller.ratePerSecond();
    if (rate <= 0) {
      return null;
    }
    Quota quota = byCaller.get(caller.name());
    if (quota == null || quota.rate() != rate) {
      // A caller's rate changes only with a new configuration (a web redeployed): its budget starts again.
      quota = byCaller.compute(caller.name(), (name, old) -> old != null && old.rate() == rate ? old : new Quota(rate, nanoClock));
    }
    long waitNanos = quota.take();
    return waitNanos == 0 ? null : new Exceeded(caller.name(), Quota.seconds(waitNanos), quota.policy());
  }
}
