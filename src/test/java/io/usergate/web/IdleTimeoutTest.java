package io.usergate.web;

import io.usergate.support.TestConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code http.idleTimeoutMs} on the web verticle's server, with raw sockets and a keep-alive client. */
@ExtendWith(VertxExtension.class)
class IdleTimeoutTest {

  private static final int IDLE_TIMEOUT_MS = 300;

  private int port;

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    JsonObject config = TestConfig.forTests();
    config.getJsonObject("http").put("idleTimeoutMs", IDLE_TIMEOUT_MS).put("drainDelayMs", 0);
    HttpVerticle web = new HttpVerticle();
    vertx.deployVerticle(web, new DeploymentOptions().setConfig(config)).await(10, TimeUnit.SECONDS);
    port = web.actualPort();
  }

  /** Connects, sends {@code bytes}, and answers how long after that the server closed the socket. */
  private long closedAfterMs(Vertx vertx, String bytes) throws Exception {
    NetSocket socket = vertx.createNetClient().connect(port, "127.0.0.1").await(5, TimeUnit.SECONDS);
    Promise<Long> closed = Promise.promise();
    Buffer received = Buffer.buffer();
    socket.handler(received::appendBuffer);
    socket.closeHandler(v -> closed.tryComplete(System.nanoTime()));
    long sent = System.nanoTime();
    if (!bytes.isEmpty()) {
      socket.write(bytes).await(5, TimeUnit.SECONDS);
      sent = System.nanoTime();
    }
    long closedAt = closed.future().await(10 * IDLE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    assertEquals(0, received.length(), "closed without an answer: " + received);
    return TimeUnit.NANOSECONDS.toMillis(closedAt - sent);
  }

  @Test
  @DisplayName("a connection that sends nothing, or half a request line, is closed by the server after about http.idleTimeoutMs")
  void idleAndHalfSentConnectionsAreClosed(Vertx vertx) throws Exception {
    long silent = closedAfterMs(vertx, "");
    long halfSent = closedAfterMs(vertx, "GET /health/li");
    // Not before the timeout (so it is the timeout that closed them), and within a few of them (a busy machine).
    assertTrue(silent >= IDLE_TIMEOUT_MS - 50 && silent < 10 * IDLE_TIMEOUT_MS, "silent connection closed after " + silent + " ms");
    assertTrue(halfSent >= IDLE_TIMEOUT_MS - 50 && halfSent < 10 * IDLE_TIMEOUT_MS, "half-sent request closed after " + halfSent + " ms");
  }

  @Test
  @DisplayName("a keep-alive client that sends a request every 100 ms keeps its one connection for more than three idle timeouts")
  void busyKeepAliveConnectionStays(Vertx vertx) throws Exception {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
      new PoolOptions().setHttp1MaxSize(1));
    Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();
    long start = System.nanoTime();
    int requests = 0;
    while (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 3 * IDLE_TIMEOUT_MS + 100) {
      int status = client.request(HttpMethod.GET, port, "127.0.0.1", "/health/live")
        .compose(request -> request.send().compose(response -> {
          connections.add(request.connection());
          return response.body().map(body -> response.statusCode());
        }))
        .await(5, TimeUnit.SECONDS);
      assertEquals(200, status);
      requests++;
      vertx.timer(100, TimeUnit.MILLISECONDS).await(5, TimeUnit.SECONDS);
    }
    assertTrue(requests >= 8, requests + " requests");
    assertEquals(1, connections.size(), "one connection for all " + requests + " requests");
    client.close().await(5, TimeUnit.SECONDS);
  }
}
