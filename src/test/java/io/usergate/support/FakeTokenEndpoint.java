package io.usergate.support;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real OAuth2 token endpoint on loopback ({@code POST /token}, client credentials grant), as Keycloak, Entra or
 * Auth0 serve one: it authenticates the client (a Basic header, RFC 6749 2.3.1's form-encoded id and secret, or
 * client_id and client_secret in the form), issues opaque tokens that expire after {@link #expiresIn} seconds of
 * real time, and counts its requests. A test tells it to fail, hang or answer garbage, and asks it whether a
 * directory should take a token ({@link #accepts}).
 */
public class FakeTokenEndpoint extends VerticleBase {

  public enum Mode {
    /** A token for a client that authenticates. */
    OK,
    /** 503, a plain-text body. */
    FAIL,
    /** Never answers. */
    HANG,
    /** 200 with an HTML page. */
    GARBAGE,
    /** 200, JSON with no access_token. */
    NO_TOKEN,
    /** 400 whose body quotes the client secret it was sent. */
    ECHO_SECRET }

  /** What a token request carried: its Authorization header (null when none) and its form. */
  public record Seen(String authorization, Map<String, String> form) {
  }

  private final String clientId;
  private final String clientSecret;
  private final AtomicInteger requests = new AtomicInteger();
  /** Each token issued, to when it expires (System.nanoTime). */
  private final Map<String, Long> tokens = new ConcurrentHashMap<>();
  private volatile Mode mode = Mode.OK;
  private volatile long expiresIn = 60;
  private volatile String requiredAudience;
  private volatile Seen last;
  private HttpServer server;
  /** Plain HTTP, unless {@link #overTls} says otherwise before the deployment. */
  private final io.vertx.core.http.HttpServerOptions serverOptions = new io.vertx.core.http.HttpServerOptions();

  public FakeTokenEndpoint(String clientId, String clientSecret) {
    this.clientId = clientId;
    this.clientSecret = clientSecret;
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(serverOptions).requestHandler(this::handle).listen(0, "127.0.0.1").onSuccess(started -> server = started);
  }

  /**
   * Serves HTTPS with {@code certificate}; with {@code clientCa}, only to clients whose certificate that CA signed
   * (mutual TLS). Before the deployment.
   */
  public FakeTokenEndpoint overTls(io.vertx.core.net.KeyCertOptions certificate, io.vertx.core.net.TrustOptions clientCa) {
    serverOptions.setSsl(true).setKeyCertOptions(certificate);
    if (clientCa != null) {
      serverOptions.setTrustOptions(clientCa).setClientAuth(io.vertx.core.http.ClientAuth.REQUIRED);
    }
    return this;
  }

  public String url() {
    return (serverOptions.isSsl() ? "https" : "http") + "://127.0.0.1:" + server.actualPort() + "/token";
  }

  public FakeTokenEndpoint mode(Mode mode) {
    this.mode = mode;
    return this;
  }

  /** The lifetime of the tokens issued from now on, in seconds. */
  public FakeTokenEndpoint expiresIn(long seconds) {
    this.expiresIn = seconds;
    return this;
  }

  /** Token requests without this audience are refused (Auth0: 403 access_denied). */
  public FakeTokenEndpoint requireAudience(String audience) {
    this.requiredAudience = audience;
    return this;
  }

  public int requests() {
    return requests.get();
  }

  public int issued() {
    return tokens.size();
  }

  public Seen last() {
    return last;
  }

  /** Every token issued so far no longer holds (a directory that revoked them). */
  public void revokeAll() {
    tokens.replaceAll((token, expiry) -> System.nanoTime() - 1);
  }

  /** Whether {@code authorization} (an Authorization header, or null) is {@code Bearer} and a token that holds now. */
  public boolean accepts(String authorization) {
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      return false;
    }
    Long expiry = tokens.get(authorization.substring("Bearer ".length()));
    return expiry != null && System.nanoTime() - expiry < 0;
  }

  private void handle(HttpServerRequest request) {
    request.setExpectMultipart(true);
    request.end().onSuccess(v -> answer(request, request.formAttributes()));
  }

  private void answer(HttpServerRequest request, MultiMap form) {
    requests.incrementAndGet();
    Map<String, String> fields = new HashMap<>();
    form.forEach(fields::put);
    String authorization = request.getHeader("Authorization");
    last = new Seen(authorization, fields);
    switch (mode) {
      case HANG -> {
        return;
      }
      case FAIL -> {
        request.response().setStatusCode(503).putHeader("Content-Type", "text/plain").end("down for maintenance");
        return;
      }
      case GARBAGE -> {
        request.response().putHeader("Content-Type", "text/html").end("<html><body>Sign in</body></html>");
        return;
      }
      case NO_TOKEN -> {
        json(request, 200, new JsonObject().put("token_type", "Bearer").put("expires_in", 60));
        return;
      }
      case ECHO_SECRET -> {
        request.response().setStatusCode(400).putHeader("Content-Type", "text/plain")
          .end("client " + fields.get("client_id") + " sent the wrong secret " + fields.get("client_secret"));
        return;
      }
      default -> { }
    }
    if (!"client_credentials".equals(fields.get("grant_type"))) {
      json(request, 400, new JsonObject().put("error", "unsupported_grant_type"));
      return;
    }
    if (!authenticated(authorization, fields)) {
      json(request, 401, new JsonObject().put("error", "invalid_client").put("error_description", "Invalid client credentials"));
      return;
    }
    if (requiredAudience != null && !requiredAudience.equals(fields.get("audience"))) {
      json(request, 403, new JsonObject().put("error", "access_denied").put("error_description", "No audience parameter was provided"));
      return;
    }
    String token = "opaque-" + UUID.randomUUID();
    long lifetime = expiresIn;
    tokens.put(token, System.nanoTime() + TimeUnit.SECONDS.toNanos(lifetime));
    json(request, 200, new JsonObject().put("access_token", token).put("token_type", "Bearer").put("expires_in", lifetime));
  }

  /** A Basic header of the form-encoded id and secret, or both in the form; not both ways at once. */
  private boolean authenticated(String authorization, Map<String, String> form) {
    if (authorization != null) {
      if (!authorization.startsWith("Basic ") || form.containsKey("client_secret")) {
        return false;
      }
      String pair = new String(Base64.getDecoder().decode(authorization.substring("Basic ".length())), StandardCharsets.UTF_8);
      int colon = pair.indexOf(':');
      return colon > 0 && clientId.equals(URLDecoder.decode(pair.substring(0, colon), StandardCharsets.UTF_8))
        && clientSecret.equals(URLDecoder.decode(pair.substring(colon + 1), StandardCharsets.UTF_8));
    }
    return clientId.equals(form.get("client_id")) && clientSecret.equals(form.get("client_secret"));
  }

  private static void json(HttpServerRequest request, int status, JsonObject body) {
    request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
