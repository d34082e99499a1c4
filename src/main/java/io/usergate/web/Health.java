package io.usergate.web;

import io.usergate.fetch.FetchAddresses;
import io.usergate.store.StoreAddresses;
import io.usergate.sync.SyncAddresses;
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
      checks.register(name, timeoutMs, promise -> vertx.eventBus().<JsonObject>request(address, new JsonObject(), withinTimeout)
        .onSuccess(reply -> promise.complete(Status.OK()))
        .onFailure(failure -> promise.complete(Status.KO(new JsonObject().put("error", failure.getMessage())))));
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
      .register("postgresql", timeoutMs, promise -> vertx.eventBus()
        .<JsonObject>request(StoreAddresses.PING, new JsonObject(), withinTimeout)
        .onSuccess(reply -> promise.complete(Status.OK()))
        .onFailure(failure -> promise.complete(Status.KO(new JsonObject().put("error", failure.getMessage())))))
      .register("upstream", timeoutMs, promise -> vertx.eventBus()
        .<JsonObject>request(FetchAddresses.STATUS, new JsonObject(), withinTimeout)
        .onSuccess(reply -> {
          String breaker = reply.body().getString("breaker");
          promise.complete(Status.OK(new JsonObject()
            .put("breaker", breaker)
            .put("since", reply.body().getString("breakerSince"))
            .put("degraded", !"CLOSED".equals(breaker))));
        })
        .onFailure(failure -> promise.complete(Status.KO(new JsonObject().put("error", failure.getMessage())))));
  }
}
