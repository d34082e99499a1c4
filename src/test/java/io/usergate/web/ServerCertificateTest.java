package io.usergate.web;

import io.usergate.config.StartFailure;
import io.usergate.support.LogCapture;
import io.usergate.support.TestCertificates;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The node's certificate on its own: what a first load refuses, what a reload keeps, and what it says. */
class ServerCertificateTest {

  @TempDir
  Path dir;

  private Vertx vertx;
  private TestCertificates ca;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    ca = TestCertificates.authority("unit-ca");
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a first load of a key that is not the certificate's fails the start, naming both keys and the reason, with no stack trace")
  void firstLoadMismatch() throws Exception {
    TestCertificates.PemFiles one = ca.server("one").written(dir, "one");
    TestCertificates.PemFiles two = ca.server("two").written(dir, "two");
    ServerCertificate certificate = ServerCertificate.of(vertx, one.cert().toString(), two.key().toString());
    Exception failure = assertThrows(Exception.class, () -> certificate.first(vertx).await(10, TimeUnit.SECONDS));
    assertInstanceOf(StartFailure.class, failure);
    assertTrue(failure.getMessage().startsWith("cannot serve TLS with http.tlsCertPath " + one.cert() + " and http.tlsKeyPath "
      + two.key() + ": the key does not match the certificate CN=one"), failure.getMessage());
    assertEquals(0, failure.getStackTrace().length);
  }

  @Test
  @DisplayName("a file that is not PEM fails the first load; a file gone between renames keeps the pair served, said once")
  void unreadable() throws Exception {
    Path junk = Files.writeString(dir.resolve("junk.crt"), "not a certificate");
    TestCertificates.PemFiles one = ca.server("one").written(dir, "one");
    Exception failure = assertThrows(Exception.class,
      () -> ServerCertificate.of(vertx, junk.toString(), one.key().toString()).first(vertx).await(10, TimeUnit.SECONDS));
    assertTrue(failure.getMessage().contains("not a PEM certificate and key"), failure.getMessage());

    ServerCertificate certificate = ServerCertificate.of(vertx, one.cert().toString(), one.key().toString());
    assertSame(certificate, ServerCertificate.of(vertx, one.cert().toString(), one.key().toString()), "one per node");
    ServerCertificate.Pair loaded = certificate.first(vertx).await(10, TimeUnit.SECONDS);
    try (LogCapture log = new LogCapture()) {
      Files.delete(one.key());
      assertSame(loaded, certificate.refresh(vertx).await(10, TimeUnit.SECONDS));
      assertSame(loaded, certificate.refresh(vertx).await(10, TimeUnit.SECONDS));
      assertEquals(1, log.warnings("not loaded"), log.lines().toString());
    }
  }
}
