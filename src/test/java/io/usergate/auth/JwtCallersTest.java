package io.usergate.auth;

import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.usergate.support.TestIssuer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** JWT callers checked locally: signature, iss, aud, exp/nbf with the skew, the caller a token makes, the cache, rotation. */
class JwtCallersTest {

  private static final String AUDIENCE = "usergate";
  private static final TestIssuer.Key FIRST = TestIssuer.rsa("first");

  private Vertx vertx;
  private TestIssuer issuer;
  /** The clocks of the refetch pause and of the cache, moved by the tests. */
  private final AtomicLong nanos = new AtomicLong(System.nanoTime());
  private final AtomicLong millis = new AtomicLong(System.currentTimeMillis());

  @BeforeEach
  void issuer() throws Exception {
    vertx = Vertx.vertx();
    issuer = new TestIssuer().publish(FIRST).deployOn(vertx);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** JWT callers of the test issuer, with the caller {@code billing} configured; keys loaded before it returns. */
  private JwtCallers callers() {
    JwtCallers callers = started();
    await().atMost(Duration.ofSeconds(10)).until(() -> callers.keys().current() != null);
    return callers;
  }

  private JwtCallers started() {
    Caller billing = new Caller("billing", Set.of(Scope.USERS_READ, Scope.MIRROR_READ), List.of(), 3, 2.5, 40);
    IssuerKeys keys = new IssuerKeys(vertx, issuer.issuer(), AUDIENCE, IssuerKeys.MIN_REFETCH_MS, nanos::get).start();
    return new JwtCallers(keys, List.of(billing), millis::get);
  }

  private String token(TestIssuer.Key key, JsonObject claims) {
    return TestIssuer.sign(vertx, key, claims);
  }

  private static Caller accepted(Future<Caller> identified) throws Exception {
    return identified.await(10, TimeUnit.SECONDS);
  }

  private static void assertRefused(Future<Caller> identified, String inMessage) {
    try {
      identified.await(10, TimeUnit.SECONDS);
      fail("accepted a token that should be refused (" + inMessage + ")");
    } catch (Exception e) {
      UsergateException refused = (UsergateException) e;
      assertEquals(ErrorCode.UNAUTHORIZED, refused.code(), refused.getMessage());
      assertTrue(refused.getMessage().contains(inMessage), refused.getMessage());
    }
  }

  @Test
  @DisplayName("a configured client's token is that caller (its share, with the scopes both name); any other client's is jwt with its token's scopes")
  void callerFromClaims() throws Exception {
    JwtCallers callers = callers();
    Caller billing = accepted(callers.authenticate(token(FIRST, issuer.claims(AUDIENCE, 300).put("azp", "billing")
      .put("scope", "openid users:read sync:write"))));
    assertEquals("billing", billing.name());
    assertEquals(Set.of(Scope.USERS_READ), billing.scopes());
    assertEquals(3, billing.weight());
    assertEquals(2.5, billing.ratePerSecond());
    assertEquals(40, billing.maxQueued());
    Caller other = accepted(callers.authenticate(token(FIRST, issuer.claims(AUDIENCE, 300).put("client_id", "made-up name")
      .put("aud", new JsonArray().add("other").add(AUDIENCE)).put("scope", "users:read status:read email"))));
    assertEquals(JwtCallers.JWT_CALLER, other.name());
    assertEquals(Set.of(Scope.USERS_READ, Scope.STATUS_READ), other.scopes());
    assertEquals(Set.of(), accepted(callers.authenticate(token(FIRST, issuer.claims(AUDIENCE, 300)))).scopes());
  }

  @Test
  @DisplayName("refused with a reason: expired beyond 30 s of skew, not valid yet, another audience, another issuer, no exp, a time that is no number")
  void claimsRefused() throws Exception {
    JwtCallers callers = callers();
    long now = System.currentTimeMillis() / 1000;
    assertEquals(JwtCallers.JWT_CALLER, accepted(callers.authenticate(token(FIRST, issuer.claims(AUDIENCE, 0)
      .put("exp", now - 10)))).name(), "10 s past exp is within the skew");
    assertRefused(callers.authenticate(token(FIRST, issuer.claims(AUDIENCE, 0).put("exp", now - 60))), "expired");
    assertRefused(callers.authenticate(token(FIRST, issuer.claims(AUDIENCE, 300).put("nbf", now + 60))), "not valid yet");
    assertRefused(callers.authenticate(token(FIRST, issuer.claims("another-service", 300))), "aud");
    assertRefused(callers.authenticate(token(FIRST, issuer.claims(AUDIENCE, 300).put("iss", "http://127.0.0.1:1/other"))), "iss");
    JsonObject noExp = issuer.claims(AUDIENCE, 300);
    noExp.remove("exp");
    assertRefused(callers.authenticate(token(FIRST, noExp)), "no exp");
    assertRefused(callers.authenticate(token(FIRST, issuer.claims(AUDIENCE, 300).put("exp", "soon"))), "not a number");
    assertRefused(callers.authenticate(token(FIRST, issuer.claims(AUDIENCE, 300).putNull("nbf"))), "not a number");
  }

  @Test
  @DisplayName("refused: alg none, a tampered payload, HS256 signed with the public key, an unpublished key; no JWKS read for those")
  void forgeriesRefused() throws Exception {
    JwtCallers callers = callers();
    int reads = issuer.jwksReads();
    JsonObject claims = issuer.claims(AUDIENCE, 300).put("scope", "sync:write");
    assertRefused(callers.authenticate(TestIssuer.forged(new JsonObject().put("alg", "none"), claims, "")), "alg none");
    assertRefused(callers.authenticate(TestIssuer.forged(new JsonObject().put("alg", "none").put("kid", "first"), claims,
      "c2lnbmVk")), "alg none");
    String genuine = token(FIRST, issuer.claims(AUDIENCE, 300).put("scope", "users:read"));
    String[] parts = genuine.split("\\.");
    String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(claims.encode().getBytes())
      + "." + parts[2];
    assertRefused(callers.authenticate(tampered), "signature");
    String hs256 = TestIssuer.forged(new JsonObject().put("alg", "HS256").put("kid", "first"), claims, "");
    String hmac = TestIssuer.forged(new JsonObject().put("alg", "HS256").put("kid", "first"), claims,
      hmac(hs256.substring(0, hs256.lastIndexOf('.')), FIRST.jwk().getString("n")));
    assertRefused(callers.authenticate(hmac), "alg is not one of");
    assertRefused(callers.authenticate("eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln"), "not a JWT");
    assertEquals(reads, issuer.jwksReads());
  }

  private static String hmac(String input, String secret) throws Exception {
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(), "HmacSHA256"));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(input.getBytes()));
  }

  @Test
  @DisplayName("ES256 keys work as RS256 ones")
  void ellipticCurveKeys() throws Exception {
    TestIssuer.Key ec = TestIssuer.ec("ec-1");
    issuer.publish(FIRST, ec);
    JwtCallers callers = callers();
    assertEquals(Set.of(Scope.MIRROR_READ), accepted(callers.authenticate(token(ec, issuer.claims(AUDIENCE, 300)
      .put("scope", "mirror:read")))).scopes());
  }

  @Test
  @DisplayName("a verified token is kept: its next use makes no signature check; past its exp (and the skew) it is refused")
  void verifiedTokensAreKept() throws Exception {
    JwtCallers callers = callers();
    String token = token(FIRST, issuer.claims(AUDIENCE, 60).put("azp", "billing").put("scope", "users:read"));
    accepted(callers.authenticate(token));
    long checks = callers.signatureChecks();
    for (int i = 0; i < 100; i++) {
      Future<Caller> hit = callers.authenticate(token);
      assertTrue(hit.isComplete() && hit.succeeded(), "a kept token answers at once");
    }
    assertEquals(checks, callers.signatureChecks());
    millis.addAndGet(TimeUnit.SECONDS.toMillis(60 + IssuerKeys.CLOCK_SKEW_SECONDS + 1));
    assertRefused(callers.authenticate(token), "expired");
  }

  @Test
  @DisplayName("an unknown kid reads the JWKS again (rotation): once for concurrent tokens, then not before the pause is over")
  void rotation() throws Exception {
    JwtCallers callers = callers();
    assertEquals(1, issuer.jwksReads());
    TestIssuer.Key second = TestIssuer.rsa("second");
    issuer.publish(FIRST, second);
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(IssuerKeys.MIN_REFETCH_MS + 1));
    List<Future<Caller>> concurrent = List.of(
      callers.authenticate(token(second, issuer.claims(AUDIENCE, 300).put("sub", "a"))),
      callers.authenticate(token(second, issuer.claims(AUDIENCE, 300).put("sub", "b"))),
      callers.authenticate(token(second, issuer.claims(AUDIENCE, 300).put("sub", "c"))));
    Future.all(concurrent).await(10, TimeUnit.SECONDS);
    assertEquals(2, issuer.jwksReads(), "one read for the three tokens");

    TestIssuer.Key unpublished = TestIssuer.rsa("unpublished");
    assertRefused(callers.authenticate(token(unpublished, issuer.claims(AUDIENCE, 300))), "kid unknown");
    assertRefused(callers.authenticate(token(unpublished, issuer.claims(AUDIENCE, 300))), "kid unknown");
    assertEquals(2, issuer.jwksReads(), "no read within the pause after the last");
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(IssuerKeys.MIN_REFETCH_MS + 1));
    assertRefused(callers.authenticate(token(unpublished, issuer.claims(AUDIENCE, 300))), "kid unknown");
    assertEquals(3, issuer.jwksReads(), "after the pause, one more read");
  }

  @Test
  @DisplayName("an issuer down at start: a JWT is refused saying the keys are not loaded, API keys work, and the keys load once it answers")
  void issuerDownAtStart() throws Exception {
    issuer.failing(true);
    JwtCallers callers = started();
    List<ApiKeys.Keyed> keyed = ApiKeys.parse(new JsonObject().put("billing", new JsonObject()
      .put("keySha256", HexFormat.of().formatHex(ApiKeys.sha256("billing-key"))).put("scopes", "users:read")));
    Access access = Access.of("auto", true, keyed, null, () -> null, true, callers);
    String token = token(FIRST, issuer.claims(AUDIENCE, 300).put("scope", "users:read"));
    await().atMost(Duration.ofSeconds(10)).until(() -> issuer.jwksReads() >= 1);
    assertRefused(access.identify("Bearer " + token, null), "not loaded");
    assertEquals("billing", accepted(access.identify("Bearer billing-key", null)).name());
    issuer.failing(false);
    await().atMost(Duration.ofSeconds(10)).until(() -> callers.keys().current() != null);
    assertEquals(JwtCallers.JWT_CALLER, accepted(access.identify("Bearer " + token, null)).name());
  }

  @Test
  @DisplayName("a bearer with a JWT's shape is checked as a JWT; anything else, and X-API-Key, as an API key")
  void shapeChoosesTheCheck() throws Exception {
    assertTrue(JwtCallers.looksLikeJwt("eyJh.eyJz.c2ln"));
    assertTrue(JwtCallers.looksLikeJwt("eyJh.eyJz."));
    assertFalse(JwtCallers.looksLikeJwt("billing-key"));
    assertFalse(JwtCallers.looksLikeJwt("a.b"));
    assertFalse(JwtCallers.looksLikeJwt("a..c"));
    assertFalse(JwtCallers.looksLikeJwt("a.b.c.d"));
    assertFalse(JwtCallers.looksLikeJwt("a.b+/.c"));
    JwtCallers callers = callers();
    Access access = Access.of("auto", true, List.of(), null, () -> null, true, callers);
    assertTrue(access.required(), "auto requires callers when auth.jwtIssuer is set");
    String token = token(FIRST, issuer.claims(AUDIENCE, 300));
    assertNotNull(accepted(access.identify("Bearer " + token, null)));
    try {
      access.identify(null, token).await(10, TimeUnit.SECONDS);
      fail("a JWT in X-API-Key is an API key, and not a known one");
    } catch (UsergateException refused) {
      assertEquals("the credential is not a known key", refused.getMessage());
    }
  }

  @Test
  @DisplayName("every web instance closes the keys it shares, on its own event loop, at once: each close is answered "
    + "(none null) and completes")
  void closedByEveryInstanceAtOnce() throws Exception {
    ExecutorService instances = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 50; round++) {
        IssuerKeys keys = new IssuerKeys(vertx, issuer.issuer(), AUDIENCE, IssuerKeys.MIN_REFETCH_MS, nanos::get);
        CyclicBarrier together = new CyclicBarrier(4);
        List<CompletableFuture<Future<Void>>> closes = new ArrayList<>();
        for (int instance = 0; instance < 4; instance++) {
          closes.add(CompletableFuture.supplyAsync(() -> {
            try {
              together.await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
            return keys.close();
          }, instances));
        }
        for (CompletableFuture<Future<Void>> close : closes) {
          Future<Void> closed = close.get(10, TimeUnit.SECONDS);
          assertNotNull(closed, "round " + round + ": a close answered null");
          closed.await(10, TimeUnit.SECONDS);
        }
      }
    } finally {
      instances.shutdownNow();
    }
  }
}
