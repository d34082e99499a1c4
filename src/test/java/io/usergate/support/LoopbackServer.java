package io.usergate.support;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

import java.util.concurrent.TimeUnit;

/**
 * A test's HTTP server on a free port of 127.0.0.1, as a verticle: the directories and token endpoints the
 * tests put upstream of usergate. {@code S} is the subclass, so that {@link #deployOn} keeps its type.
 */
public abstract class LoopbackServer<S extends LoopbackServer<S>> extends VerticleBase {

  private HttpServer server;

  @Override
  public Future<?> start() {
    return vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
      .onSuccess(listening -> server = listening);
  }

  /** Answers one request, on this verticle's context. */
  protected abstract void handle(HttpServerRequest request);

  /** Deploys this server on {@code vertx} and waits until it listens. */
  @SuppressWarnings("unchecked")
  public S deployOn(Vertx vertx) throws Exception {
    vertx.deployVerticle(this).await(10, TimeUnit.SECONDS);
    return (S) this;
  }

  /** {@code http://127.0.0.1:port}, once started. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }
}
