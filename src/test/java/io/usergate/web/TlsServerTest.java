package io.usergate.web;

import io.usergate.config.Configuration;
import io.usergate.support.BridgeFrames;
import io.usergate.support.LogCapture;
import io.usergate.support.ServiceProcess;
import io.usergate.support.TestCertificates;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTPS on the routes, the SockJS bridge and the TCP bridge ({@code http.tlsCertPath}, {@code http.tlsKeyPath},
 * {@code bridge.tcpTls}), with a CA and certificates made by the test; clients trust that CA only and verify the
 * hostname. The web runs two instances, as it runs one per event loop.
 */
class TlsServerTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private TestCertificates ca;
  private TestCertificates.Issued first;
  private TestCertificates.PemFiles live;
  private int port;
  private int bridgePort;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    ca = TestCertificates.authority("usergate-test-ca");
    first = ca.server("first");
    live = first.written(dir, "live");
    port = ServiceProcess.freePort();
    bridgePort = ServiceProcess.freePort();
    JsonObject config = Configuration.withOverrides(new JsonObject()
      .put("http", new JsonObject().put("port", port).put("drainDelayMs", 0)
        .put("tlsCertPath", live.cert().toString()).put("tlsKeyPath", live.key().toString()))
      .put("bridge", new JsonObject().put("tcpPort", bridgePort).put("tcpTls", true)));
    vertx.deployVerticle(HttpVerticle::new, new DeploymentOptions().setConfig(config).setInstances(2)).await(20, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a client that trusts the test CA gets a route over HTTPS, HTTP/2 chosen by ALPN, and the SockJS bridge's info; an HTTP/1.1 client still gets HTTP/1.1")
  void https() throws Exception {
    HttpClientAgent h2 = vertx.createHttpClient(trusting().setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2));
    HttpClientResponse live = get(h2, "/health/live");
    assertEquals(200, live.statusCode());
    assertEquals(HttpVersion.HTTP_2, live.version());
    HttpClientResponse sockJs = get(h2, "/eventbus/info");
    assertEquals(200, sockJs.statusCode());
    assertTrue(new JsonObject(sockJs.body().await(5, TimeUnit.SECONDS)).containsKey("websocket"));

    // The dashboard's own page over HTTPS is of origin https://host:port: its calls pass, a page of http://host:port does not.
    assertEquals(200, withOrigin(h2, "https://127.0.0.1:" + port).statusCode());
    assertEquals(403, withOrigin(h2, "http://127.0.0.1:" + port).statusCode());

    HttpClientResponse http11 = get(vertx.createHttpClient(trusting()), "/health/live");
    assertEquals(200, http11.statusCode());
    assertEquals(HttpVersion.HTTP_1_1, http11.version());
  }

  @Test
  @DisplayName("a client that does not trust the test CA (the JVM's trust store) is refused in the handshake")
  void untrusted() {
    HttpClientAgent jvmTrust = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(true));
    Exception refused = assertThrows(Exception.class, () -> get(jvmTrust, "/health/live"));
    assertInstanceOf(SSLHandshakeException.class, refused, refused.toString());
  }

  @Test
  @DisplayName("a certificate renamed over the old one is served to new connections within 10 s (the TCP bridge's too), while a connection opened before keeps working")
  void reload() throws Exception {
    HttpClientAgent h2 = vertx.createHttpClient(trusting().setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2));
    HttpClientConnection open = h2.connect(new HttpConnectOptions().setHost("127.0.0.1").setPort(port)).await(10, TimeUnit.SECONDS);
    assertEquals(first.serial(), serial(open));

    TestCertificates.Issued second = ca.server("second");
    TestCertificates.PemFiles next = second.written(dir, "next");
    // cert-manager's order: the key, then the certificate (a moment where they do not match).
    TestCertificates.replace(live.key(), next.key());
    TestCertificates.replace(live.cert(), next.cert());
    long replaced = System.nanoTime();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
      .until(() -> second.serial().equals(newConnectionSerial()));
    assertTrue(System.nanoTime() - replaced < TimeUnit.SECONDS.toNanos(10));

    HttpClientResponse onOpen = open.request(HttpMethod.GET, port, "127.0.0.1", "/health/live")
      .compose(request -> request.send()).await(10, TimeUnit.SECONDS);
    assertEquals(200, onOpen.statusCode());
    assertEquals(first.serial(), serial(open));

    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
      .until(() -> second.serial().equals(bridgeSerial()));
  }

  @Test
  @DisplayName("a certificate whose key is not there yet is not loaded (said once in the log), the one before stays; once its key follows, it is served")
  void mismatch() throws Exception {
    TestCertificates.Issued second = ca.server("second");
    TestCertificates.PemFiles next = second.written(dir, "next");
    try (LogCapture log = new LogCapture()) {
      TestCertificates.replace(live.cert(), next.cert());
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> log.warnings("does not match") > 0);
      assertEquals(first.serial(), newConnectionSerial());
      assertEquals(first.serial(), bridgeSerial());

      TestCertificates.replace(live.key(), next.key());
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> second.serial().equals(newConnectionSerial()));
      // Both instances read the mismatched pair at least once each: one line.
      assertEquals(1, log.warnings("does not match"), log.lines().toString());
    }
  }

  @Test
  @DisplayName("the TCP bridge speaks TLS with the routes' certificate: a client that trusts the test CA gets a pong")
  void tcpBridge() throws Exception {
    NetSocket socket = vertx.createNetClient(bridgeClient()).connect(bridgePort, "127.0.0.1").await(10, TimeUnit.SECONDS);
    assertTrue(socket.isSsl());
    JsonObject pong = new BridgeFrames(socket).exchange(new JsonObject().put("type", "ping"));
    assertEquals("pong", pong.getString("type"));
    socket.close().await(5, TimeUnit.SECONDS);
  }

  private HttpClientOptions trusting() {
    return new HttpClientOptions().setSsl(true).setVerifyHost(true).setTrustOptions(ca.trust());
  }

  private NetClientOptions bridgeClient() {
    NetClientOptions options = new NetClientOptions().setSsl(true).setTrustOptions(ca.trust());
    options.setHostnameVerificationAlgorithm("HTTPS");
    return options;
  }

  private HttpClientResponse get(HttpClientAgent client, String path) throws Exception {
    return client.request(HttpMethod.GET, port, "127.0.0.1", path)
      .compose(request -> request.send().compose(response -> response.body().map(response)))
      .await(10, TimeUnit.SECONDS);
  }

  private HttpClientResponse withOrigin(HttpClientAgent client, String origin) throws Exception {
    return client.request(HttpMethod.GET, port, "127.0.0.1", "/health/live")
      .compose(request -> request.putHeader("Origin", origin).send().compose(response -> response.body().map(response)))
      .await(10, TimeUnit.SECONDS);
  }

  /** The serial of the certificate a new connection is served. */
  private BigInteger newConnectionSerial() throws Exception {
    HttpClientAgent client = vertx.createHttpClient(trusting());
    try {
      HttpClientConnection connection = client.connect(new HttpConnectOptions().setHost("127.0.0.1").setPort(port))
        .await(10, TimeUnit.SECONDS);
      return serial(connection);
    } finally {
      client.close().await(5, TimeUnit.SECONDS);
    }
  }

  /** The serial of the certificate a new TLS connection to the TCP bridge is served. */
  private BigInteger bridgeSerial() throws Exception {
    NetClient client = vertx.createNetClient(bridgeClient());
    try {
      // Read where the connection completes: on its event loop, before anything else can happen to it.
      return client.connect(bridgePort, "127.0.0.1").map(socket -> {
        try {
          return ((X509Certificate) socket.peerCertificates().get(0)).getSerialNumber();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }).await(10, TimeUnit.SECONDS);
    } finally {
      client.close().await(5, TimeUnit.SECONDS);
    }
  }

  private static BigInteger serial(HttpClientConnection connection) throws Exception {
    return ((X509Certificate) connection.peerCertificates().get(0)).getSerialNumber();
  }
}
