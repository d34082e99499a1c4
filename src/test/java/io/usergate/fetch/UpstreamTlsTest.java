package io.usergate.fetch;

import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.usergate.support.FakeDirectory;
import io.usergate.support.FakeTokenEndpoint;
import io.usergate.support.TestCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The directory and its token endpoint over HTTPS, signed by a private CA made by the test
 * ({@code upstream.tlsCaPath}), and with mutual TLS ({@code upstream.tlsCertPath}, {@code upstream.tlsKeyPath}):
 * real Vert.x HTTPS servers on loopback, hostnames verified, nothing trusted beyond the CA named.
 */
class UpstreamTlsTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private TestCertificates ca;
  private Path caFile;
  private ConfinedUpstream confined;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    confined = new ConfinedUpstream(vertx);
    ca = TestCertificates.authority("directory-ca");
    caFile = ca.caFile(dir);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a directory whose certificate a private CA signed (upstream.tlsCaPath) answers over HTTPS")
  void privateCa() throws Exception {
    FakeDirectory directory = new FakeDirectory().overTls(ca.server("directory").options(), null).deployOn(vertx);
    confined.connect(section(directory).put("tlsCaPath", caFile.toString()));
    assertTrue(directory.baseUrl().startsWith("https://"));
    assertEquals("7", confined.on(() -> confined.fetch(7)).id());
  }

  @Test
  @DisplayName("a CA that did not sign the directory's certificate fails the call with UPSTREAM_UNAVAILABLE naming TLS and never falls back to other trust")
  void wrongCa() throws Exception {
    FakeDirectory directory = new FakeDirectory().overTls(ca.server("directory").options(), null).deployOn(vertx);
    Path otherCa = TestCertificates.authority("other-ca").caFile(dir);
    confined.connect(section(directory).put("tlsCaPath", otherCa.toString()).put("retries", 2));
    UsergateException failure = confined.failure(7);
    assertEquals(ErrorCode.UPSTREAM_UNAVAILABLE, failure.code());
    assertTrue(failure.getMessage().contains("TLS handshake failed"), failure.getMessage());
    assertTrue(failure.getMessage().contains("upstream.tlsCaPath"), failure.getMessage());
    assertEquals(0, directory.totalCalls());

    // The JVM's trust store does not know the test CA either: no CA configured is no trust, not any trust.
    confined.connect(section(directory));
    assertEquals(ErrorCode.UPSTREAM_UNAVAILABLE, confined.failure(7).code());
    assertEquals(0, directory.totalCalls());
  }

  @Test
  @DisplayName("a directory that requires a client certificate: without one the call fails with UPSTREAM_UNAVAILABLE naming TLS; with upstream.tlsCertPath and tlsKeyPath it succeeds")
  void mutualTls() throws Exception {
    FakeDirectory directory = new FakeDirectory().overTls(ca.server("directory").options(), ca.trust()).deployOn(vertx);
    confined.connect(section(directory).put("tlsCaPath", caFile.toString()));
    UsergateException failure = confined.failure(7);
    assertEquals(ErrorCode.UPSTREAM_UNAVAILABLE, failure.code());
    assertTrue(failure.getMessage().contains("TLS"), failure.getMessage());
    assertEquals(0, directory.totalCalls());

    TestCertificates.PemFiles client = ca.client("usergate").written(dir, "client");
    confined.connect(section(directory).put("tlsCaPath", caFile.toString())
      .put("tlsCertPath", client.cert().toString()).put("tlsKeyPath", client.key().toString()));
    assertEquals("7", confined.on(() -> confined.fetch(7)).id());
    assertEquals(1, directory.totalCalls());
  }

  @Test
  @DisplayName("the token endpoint is reached with the same TLS settings: private CA and client certificate on both")
  void tokenEndpoint() throws Exception {
    FakeTokenEndpoint endpoint = new FakeTokenEndpoint("usergate", "token-secret")
      .overTls(ca.server("tokens").options(), ca.trust());
    vertx.deployVerticle(endpoint).await(10, TimeUnit.SECONDS);
    FakeDirectory directory = new FakeDirectory().overTls(ca.server("directory").options(), ca.trust()).deployOn(vertx);
    directory.authorizeWith(endpoint::accepts);
    TestCertificates.PemFiles client = ca.client("usergate").written(dir, "client");
    JsonObject token = new JsonObject().put("tokenUrl", endpoint.url()).put("clientId", "usergate")
      .put("clientSecret", "token-secret");

    confined.connect(section(directory).mergeIn(token).put("tlsCaPath", caFile.toString()));
    UsergateException noClientCertificate = confined.failure(7);
    assertEquals(ErrorCode.UPSTREAM_UNAVAILABLE, noClientCertificate.code());
    assertTrue(noClientCertificate.getMessage().contains("token endpoint"), noClientCertificate.getMessage());
    assertEquals(0, endpoint.issued());

    confined.connect(section(directory).mergeIn(token).put("tlsCaPath", caFile.toString())
      .put("tlsCertPath", client.cert().toString()).put("tlsKeyPath", client.key().toString()));
    assertEquals("7", confined.on(() -> confined.fetch(7)).id());
    assertEquals(1, endpoint.issued());
  }

  private static JsonObject section(FakeDirectory directory) {
    return new JsonObject().put("baseUrl", directory.baseUrl()).put("retries", 0);
  }
}
