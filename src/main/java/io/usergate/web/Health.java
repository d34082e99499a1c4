package io.usergate.web;

import io.usergate.fetch.FetchAddresses;
import io.usergate.store.StoreAddresses;
import io.usergate.sync.SyncAddresses;
import io.usergate.user.User;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;

import java.util.function.BooleanSupplier;

/** The probes: startup (every verticle is up), liveness (the event loop answers), readiness (this instance can serve). */
final class Health {

  private Health() {
  }

  static HealthChecks liveness(Vertx vertx) {
    return HealthChecks.create(vertx).register("event-loop", promise -> promise.complete(Status.OK()));
  }

  /**
   * Started means main has deployed every verticle: the store (the embedded PostgreSQL and the
   * migrations, the slow part), fetch and sync each answer on the bus within {@code timeoutMs}. For a
   * startup probe: until it is 200, liveness and readiness are not asked.
   */
  static HealthChecks startup(Vertx vertx, long timeoutMs) {
    DeliveryOptions withinTimeout = new DeliveryOptions().setSendTimeout(timeoutMs);
    HealthChecks checks = HealthChecks.create(vertx);
    for (String address : new String[] {StoreAddresses.PING, FetchAddresses.STATUS, SyncAddresses.STATUS}) {
      String name = address.substring("usergate.".length(), address.lastIndexOf('.'));
      checks.register(name, timeoutMs, promise -> check(vertx.eventBus().request(address, new JsonObject(), withinTimeout)
        .map(reply -> Status.OK()), promise));
    }
    return checks;
  }

  /**
   * Ready means this instance can serve: not shutting down, PostgreSQL answering (the mirror, the stale
   * fallback and {@code /store/*} need it), and the fetch verticle answering, each within
   * {@code timeoutMs}. An open breaker does not make it unready: every instance would leave the load
   * balancer at once, just when the stale fallback and the mirror could still serve; the upstream
   * check stays UP and says the upstream is degraded.
   */
  static HealthChecks readiness(Vertx vertx, long timeoutMs, BooleanSupplier shuttingDown) {
    DeliveryOptions withinTimeout = new DeliveryOptions().setSendTimeout(timeoutMs);
    return HealthChecks.create(vertx)
      .register("shutdown", promise -> promise.complete(shuttingDown.getAsBoolean()
        ? Status.KO(new JsonObject().put("reason", "shutting down")) : Status.OK()))
      .register("postgresql", timeoutMs, promise -> check(vertx.eventBus()
        .request(StoreAddresses.PING, new JsonObject(), withinTimeout).map(reply -> Status.OK()), promise))
      .register("upstream", timeoutMs, promise -> check(vertx.eventBus()
        .request(FetchAddresses.STATUS, new JsonObject(), withinTimeout).map(reply -> upstream(reply.body())), promise));
  }

  /** fetch's breaker, from its status; a status without one is a bug of fetch's, and the check is DOWN. */
  private static Status upstream(Object status) {
    if (!(status instanceof JsonObject fetch && fetch.getValue("breaker") instanceof String breaker
      && fetch.getValue("breakerSince") instanceof String since)) {
      throw new IllegalStateException(FetchAddresses.STATUS + " answered no breaker: " + User.describe(status));
    }
    return Status.OK(new JsonObject().put("breaker", breaker).put("since", since).put("degraded", !"CLOSED".equals(breaker)));
  }

  /**
   * Completes the check with {@code status}, or DOWN with the reason it could not be had: an exception in
   * an {@code onSuccess} listener would complete nothing, and the probe would wait for the check's timeout.
   */
  private static void check(Future<Status> status, Promise<Status> promise) {
    status.otherwise(failure -> Status.KO(new JsonObject().put("error", failure.getMessage())))
      // The check's timeout may have completed it already.
      .onSuccess(promise::tryComplete);
  }
}
