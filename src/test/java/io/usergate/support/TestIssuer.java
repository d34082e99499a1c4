package io.usergate.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenID issuer on loopback, for the JWT callers' tests and the bench: its discovery document and its JWKS
 * (the public halves of the keys it publishes now, changed at will: rotation), and tokens signed by any key of its
 * own, published or not. It counts the JWKS reads, and can answer 503 to them (an issuer down for a moment).
 */
public final class TestIssuer extends LoopbackServer<TestIssuer> {

  /** A key pair, its kid and its JOSE alg (RS256 or ES256). */
  public record Key(String kid, String alg, KeyPair pair) {

    /** The public half as a JWK. */
    public JsonObject jwk() {
      JsonObject jwk = new JsonObject().put("kid", kid).put("alg", alg).put("use", "sig");
      if (pair.getPublic() instanceof RSAPublicKey rsa) {
        return jwk.put("kty", "RSA").put("n", unsigned(rsa.getModulus(), 0)).put("e", unsigned(rsa.getPublicExponent(), 0));
      }
      ECPublicKey ec = (ECPublicKey) pair.getPublic();
      return jwk.put("kty", "EC").put("crv", "P-256").put("x", unsigned(ec.getW().getAffineX(), 32))
        .put("y", unsigned(ec.getW().getAffineY(), 32));
    }

    private static String unsigned(BigInteger value, int length) {
      byte[] bytes = value.toByteArray();
      if (bytes.length > 1 && bytes[0] == 0) {
        bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
      }
      if (length > bytes.length) {
        byte[] padded = new byte[length];
        System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
        bytes = padded;
      }
      return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private String privatePem() {
      return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    }
  }

  private volatile List<Key> published = List.of();
  private volatile boolean failing;
  private final AtomicInteger jwksReads = new AtomicInteger();

  public static Key rsa(String kid) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return new Key(kid, "RS256", generator.generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Key ec(String kid) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return new Key(kid, "ES256", generator.generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The keys its JWKS lists from now on. */
  public TestIssuer publish(Key... keys) {
    published = List.of(keys);
    return this;
  }

  /** Whether its JWKS answers 503. */
  public TestIssuer failing(boolean failing) {
    this.failing = failing;
    return this;
  }

  public int jwksReads() {
    return jwksReads.get();
  }

  /** Its {@code iss}: the server's base URL. */
  public String issuer() {
    return baseUrl();
  }

  /** Claims of a token of this issuer for {@code audience}, valid from now for {@code seconds}. */
  public JsonObject claims(String audience, long seconds) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("iss", issuer()).put("aud", audience).put("iat", now).put("exp", now + seconds);
  }

  /** {@code claims} signed by {@code key} (published or not), with its kid in the header. */
  public static String sign(Vertx vertx, Key key, JsonObject claims) {
    JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
      .setAlgorithm(key.alg()).setId(key.kid()).setBuffer(key.privatePem())));
    return signer.generateToken(claims.copy(), new JWTOptions().setAlgorithm(key.alg()).setNoTimestamp(true));
  }

  /** A token whose header is {@code header} and whose signature part is {@code signature}, as is. */
  public static String forged(JsonObject header, JsonObject claims, String signature) {
    Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
    return encoder.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
      + encoder.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8)) + "." + signature;
  }

  @Override
  protected void handle(HttpServerRequest request) {
    switch (request.path()) {
      case "/.well-known/openid-configuration" -> request.response().putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("issuer", issuer()).put("jwks_uri", issuer() + "/jwks").encode());
      case "/jwks" -> {
        jwksReads.incrementAndGet();
        if (failing) {
          request.response().setStatusCode(503).end();
          return;
        }
        JsonArray keys = new JsonArray();
        published.forEach(key -> keys.add(key.jwk()));
        request.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("keys", keys).encode());
      }
      default -> request.response().setStatusCode(404).end();
    }
  }
}
