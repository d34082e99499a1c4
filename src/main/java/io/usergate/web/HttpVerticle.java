package io.usergate.web;

import io.usergate.store.StoreAddresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Owns the router and the HTTP server; holds no business logic, only validation and bus calls. */
public class HttpVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);

  private HttpServer server;

  @Override
  public Future<?> start() {
    JsonObject http = config().getJsonObject("http");
    long checkTimeoutMs = config().getJsonObject("health").getInteger("timeoutMs");

    Router router = Router.router(vertx);
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(liveness()));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(readiness(checkTimeoutMs)));

    return vertx.createHttpServer()
      .requestHandler(router)
      .listen(http.getInteger("port"), http.getString("host"))
      .onSuccess(listening -> {
        server = listening;
        LOG.info("web: listening on http://{}:{}/", http.getString("host"), listening.actualPort());
      });
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** The port the server listens on (useful with {@code http.port} 0). */
  public int actualPort() {
    return server.actualPort();
  }

  /** Answering at all proves the event loop turns; a named check makes the answer a 200 with a body. */
  private HealthChecks liveness() {
    return HealthChecks.create(vertx).register("event-loop", promise -> promise.complete(Status.OK()));
  }

  private HealthChecks readiness(long checkTimeoutMs) {
    HealthChecks checks = HealthChecks.create(vertx);
    DeliveryOptions withinTimeout = new DeliveryOptions().setSendTimeout(checkTimeoutMs);
    checks.register("postgresql", checkTimeoutMs, promise -> vertx.eventBus()
      .<JsonObject>request(StoreAddresses.PING, new JsonObject(), withinTimeout)
      .onSuccess(reply -> promise.complete(Status.OK()))
      .onFailure(failure -> promise.complete(Status.KO(new JsonObject().put("error", failure.getMessage())))));
    return checks;
  }
}
