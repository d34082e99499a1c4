package io.usergate.demo;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The demo directory's OAuth2 token endpoint (client credentials grant, RFC 6749 4.4) for the shapes whose
 * directory hands out tokens, each as its directory asks: Keycloak takes the client in a Basic header or in the
 * form; Graph (Entra) in the form, with the scope {@code https://graph.microsoft.com/.default}; Auth0 in the form
 * only (its applications' default, {@code client_secret_post}) with the Management API as the audience. Tokens
 * live {@code demo.tokenLifetimeSeconds}; an API call with an expired or unknown one is 401.
 */
final class DemoTokens {

  static final String GRAPH_SCOPE = "https://graph.microsoft.com/.default";

  private final DemoShape shape;
  private final String clientId;
  private final String clientSecret;
  private final long lifetimeMs;
  private final LongSupplier clock;
  private final SecureRandom random = new SecureRandom();
  /** The tokens handed out, each with when it expires (ms). */
  private final Map<String, Long> tokens = new HashMap<>();
  private long issued;

  DemoTokens(DemoShape shape, String clientId, String clientSecret, int lifetimeSeconds, LongSupplier clock) {
    this.shape = shape;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.lifetimeMs = lifetimeSeconds * 1000L;
    this.clock = clock;
  }

  /** Tokens handed out so far, for tests that see a renewal. */
  long issued() {
    return issued;
  }

  /** The answer to a token request whose form is {@code form}: the token, or the error the directory gives. */
  void answer(HttpServerRequest request, MultiMap form) {
    if (!"client_credentials".equals(form.get("grant_type"))) {
      refuse(request, 400, "unsupported_grant_type", "grant_type must be client_credentials");
      return;
    }
    String[] client = client(request, form);
    if (client == null) {
      refuse(request, 401, "invalid_client", shape == DemoShape.AUTH0
        ? "client_id and client_secret are expected in the form (client_secret_post)" : "client authentication failed");
      return;
    }
    if (!same(client[0], clientId) || !same(client[1], clientSecret)) {
      refuse(request, 401, "invalid_client", "client authentication failed");
      return;
    }
    if (shape == DemoShape.ENTRA && !GRAPH_SCOPE.equals(form.get("scope"))) {
      refuse(request, 400, "invalid_scope", "the scope must be " + GRAPH_SCOPE);
      return;
    }
    String audience = form.get("audience");
    if (shape == DemoShape.AUTH0 && (audience == null || !audience.endsWith("/api/v2/"))) {
      refuse(request, 403, "access_denied", "the audience must be the Management API, https://TENANT/api/v2/");
      return;
    }
    long now = clock.getAsLong();
    tokens.values().removeIf(expiry -> expiry <= now);
    byte[] bytes = new byte[24];
    random.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    tokens.put(token, now + lifetimeMs);
    issued++;
    request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
      .end(new JsonObject().put("access_token", token).put("token_type", "Bearer").put("expires_in", lifetimeMs / 1000).encode());
  }

  /** Whether {@code authorization} carries a token this endpoint handed out, not expired. */
  boolean valid(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    Long expiry = tokens.get(authorization.substring(7).trim());
    return expiry != null && expiry > clock.getAsLong();
  }

  /** The client id and secret as this directory takes them; null when they are not there. */
  private String[] client(HttpServerRequest request, MultiMap form) {
    String basic = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6) && shape != DemoShape.AUTH0) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(basic.substring(6).trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return null;
      }
      int colon = decoded.indexOf(':');
      // RFC 6749 2.3.1: the id and the secret are form-encoded before they are joined.
      return colon < 0 ? null : new String[] {formDecoded(decoded.substring(0, colon)), formDecoded(decoded.substring(colon + 1))};
    }
    String id = form.get("client_id");
    String secret = form.get("client_secret");
    return id == null || secret == null ? null : new String[] {id, secret};
  }

  private static String formDecoded(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }

  private static boolean same(String sent, String expected) {
    return MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
  }

  private static void refuse(HttpServerRequest request, int status, String error, String description) {
    request.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
      .end(new JsonObject().put("error", error).put("error_description", description).encode());
  }
}
