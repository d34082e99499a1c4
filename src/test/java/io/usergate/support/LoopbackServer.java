package io.usergate.support;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;

import java.util.concurrent.TimeUnit;

/**
 * A test's HTTP server on a free port of 127.0.0.1, as a verticle: the directories and token endpoints the
 * tests put upstream of usergate; plain HTTP, or HTTPS ({@link #overTls}). {@code S} is the subclass, so that
 * {@link #deployOn} keeps its type.
 */
public abstract class LoopbackServer<S extends LoopbackServer<S>> extends VerticleBase {

  private final HttpServerOptions serverOptions = new HttpServerOptions();
  private HttpServer server;

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(serverOptions).requestHandler(this::handle).listen(0, "127.0.0.1")
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

  /**
   * Serves HTTPS with {@code certificate}; with {@code clientCa}, only to clients whose certificate that CA signed
   * (mutual TLS). Before the deployment.
   */
  @SuppressWarnings("unchecked")
  public S overTls(KeyCertOptions certificate, TrustOptions clientCa) {
    serverOptions.setSsl(true).setKeyCertOptions(certificate);
    if (clientCa != null) {
      serverOptions.setTrustOptions(clientCa).setClientAuth(ClientAuth.REQUIRED);
    }
    return (S) this;
  }

  /** {@code http://127.0.0.1:port} (or {@code https://}), once started. */
  public String baseUrl() {
    return (serverOptions.isSsl() ? "https" : "http") + "://127.0.0.1:" + server.actualPort();
  }
}
