package io.usergate.auth;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpResponseExpectation;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The signing keys of {@code auth.jwtIssuer}: its OpenID discovery document names its JWKS, which is fetched at
 * start (again and again, with a growing pause, while the issuer does not answer) and again when a token names a
 * key it does not hold (rotation), at most once every {@link #MIN_REFETCH_MS}: concurrent asks share one fetch.
 * The keys become a {@link JWTAuth} that checks signature, {@code iss}, {@code aud}, {@code exp}/{@code nbf}/{@code
 * iat} with {@link #CLOCK_SKEW_SECONDS} of skew, locally: no token ever goes to the issuer.
 * <p>
 * Shared by the web verticle's instances on one node (each on its own event loop): its fetches run on the context
 * that made it, and every answer is handed back on the context of the one who asked.
 */
public final class IssuerKeys {

  private static final Logger LOG = LoggerFactory.getLogger(IssuerKeys.class);

  /** Pause between two fetches of the JWKS for unknown keys: a flood of made-up kids costs the issuer this at most. */
  public static final long MIN_REFETCH_MS = 5000;
  public static final int CLOCK_SKEW_SECONDS = 30;
  static final String DISCOVERY = "/.well-known/openid-configuration";
  private static final long FETCH_TIMEOUT_MS = 5000;
  private static final long FIRST_RETRY_MS = 1000;
  private static final long LAST_RETRY_MS = 30_000;
  /** What a verifier may be asked to check: asymmetric signatures only (never none, never HS* with a public key). */
  private static final Set<String> ALGORITHMS = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
    "ES384", "ES512");

  private final Vertx vertx;
  private final Context home;
  private final HttpClient client;
  /** The client's close, once asked for. */
  private Future<Void> closing;
  private final String issuer;
  private final String audience;
  private final long minRefetchMs;
  private final LongSupplier nanoClock;

  /** The keys as last loaded; null until the first load. */
  private volatile Verifier current;
  private Future<Verifier> inFlight;
  private long lastFetchNanos;
  private boolean fetchedOnce;
  private boolean closed;
  private long retryMs = FIRST_RETRY_MS;
  private int fetches;

  /** A verifier of the keys of one JWKS, and their ids (for the log). */
  record Verifier(JWTAuth auth, List<String> kids) {
  }

  IssuerKeys(Vertx vertx, String issuer, String audience, long minRefetchMs, LongSupplier nanoClock) {
    this.vertx = vertx;
    this.home = vertx.getOrCreateContext();
    this.client = vertx.createHttpClient();
    this.issuer = issuer;
    this.audience = audience;
    this.minRefetchMs = minRefetchMs;
    this.nanoClock = nanoClock;
  }

  /** Starts loading, and keeps trying until the keys are loaded; never fails: a JWT is refused meanwhile. */
  IssuerKeys start() {
    home.runOnContext(go -> loadUntilLoaded());
    return this;
  }

  String issuer() {
    return issuer;
  }

  /** The keys as last loaded, or null when none were loaded yet. */
  Verifier current() {
    return current;
  }

  /** Whether {@code alg} is one a JWKS may hold keys of (so an unknown key of it is worth a fetch). */
  static boolean acceptable(String alg) {
    return ALGORITHMS.contains(alg);
  }

  /** JWKS fetches made (tests). */
  synchronized int fetches() {
    return fetches;
  }

  /**
   * The keys after a fresh look at the JWKS, when the last look is at least {@link #MIN_REFETCH_MS} old; the keys
   * as they are (null when none) otherwise. Completes on the caller's context.
   */
  Future<Verifier> refreshed() {
    Future<Verifier> shared;
    synchronized (this) {
      if (inFlight != null) {
        shared = inFlight;
      } else if (closed || fetchedOnce && nanoClock.getAsLong() - lastFetchNanos < TimeUnit.MILLISECONDS.toNanos(minRefetchMs)) {
        return Future.succeededFuture(current);
      } else {
        shared = fetch();
      }
    }
    Context caller = vertx.getOrCreateContext();
    Promise<Verifier> here = Promise.promise();
    // The fetch completes on the context that made this object: the caller goes on on its own.
    shared.onComplete(done -> caller.runOnContext(back -> here.complete(current)));
    return here.future();
  }

  /** Stops the retries and closes the client (the web verticle's undeploy). */
  Future<Void> close() {
    synchronized (this) {
      closed = true;
      // Every web instance of the deployment closes the keys it shares: the client is closed once, and each waits
      // for that (HttpClient.close racing itself on two event loops may answer null).
      if (closing == null) {
        closing = client.close();
      }
      return closing;
    }
  }

  private void loadUntilLoaded() {
    Future<Verifier> load;
    synchronized (this) {
      if (closed || current != null) {
        return;
      }
      load = inFlight != null ? inFlight : fetch();
    }
    load.onComplete(done -> {
      if (current != null || isClosed()) {
        return;
      }
      long pause = retryMs;
      retryMs = Math.min(LAST_RETRY_MS, retryMs * 2);
      LOG.warn("auth: next try to load the keys of the JWT issuer {} in {} ms; meanwhile JWTs are refused (401), API "
        + "keys work", issuer, pause);
      vertx.timer(pause, TimeUnit.MILLISECONDS).onComplete(tick -> loadUntilLoaded());
    });
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  /** One discovery and JWKS read, on this object's context; shared until it ends. Never fails. Holds the lock. */
  private Future<Verifier> fetch() {
    fetches++;
    fetchedOnce = true;
    lastFetchNanos = nanoClock.getAsLong();
    Promise<Verifier> done = Promise.promise();
    inFlight = done.future();
    home.runOnContext(go -> read().onComplete(read -> {
      if (read.succeeded()) {
        Verifier before = current;
        current = read.result();
        if (before == null || !before.kids().equals(current.kids())) {
          LOG.info("auth: keys of the JWT issuer {} loaded: {}", issuer, current.kids());
        }
      } else {
        LOG.warn("auth: the keys of the JWT issuer {} could not be loaded: {}", issuer, read.cause().getMessage());
      }
      synchronized (this) {
        inFlight = null;
        lastFetchNanos = nanoClock.getAsLong();
      }
      done.complete(current);
    }));
    return inFlight;
  }

  private Future<Verifier> read() {
    // OpenID Connect Discovery 1.0, 4: the issuer without its trailing slash, then the well-known path.
    String discovery = stripSlash(issuer) + DISCOVERY;
    return getJson(discovery).compose(document -> {
      // OpenID Connect Discovery 1.0, 4.3: the document's issuer is exactly the one asked about.
      if (!issuer.equals(document.getValue("issuer"))) {
        return Future.failedFuture(discovery + " names the issuer \"" + document.getValue("issuer")
          + "\", not auth.jwtIssuer");
      }
      if (!(document.getValue("jwks_uri") instanceof String jwksUri)) {
        return Future.failedFuture(discovery + " has no jwks_uri");
      }
      return getJson(jwksUri).compose(jwks -> verifier(jwksUri, jwks));
    });
  }

  private Future<Verifier> verifier(String jwksUri, JsonObject jwks) {
    if (!(jwks.getValue("keys") instanceof JsonArray keys)) {
      return Future.failedFuture(jwksUri + " has no \"keys\" array");
    }
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(new JWTOptions().setIssuer(issuer)
      .setAudience(List.of(audience)).setLeeway(CLOCK_SKEW_SECONDS));
    List<JsonObject> usable = keys.stream().filter(key -> key instanceof JsonObject).map(key -> (JsonObject) key)
      .filter(IssuerKeys::signs).toList();
    if (usable.isEmpty()) {
      // Never a JWTAuth without keys: it would take unsigned tokens.
      return Future.failedFuture(jwksUri + " holds no RSA or EC signing key");
    }
    usable.forEach(options::addJwk);
    return Future.succeededFuture(new Verifier(JWTAuth.create(vertx, options),
      usable.stream().map(key -> String.valueOf(key.getValue("kid"))).toList()));
  }

  /** An RSA or EC key for signatures, with an asymmetric alg or none said (then the key type's default). */
  private static boolean signs(JsonObject key) {
    Object use = key.getValue("use");
    Object alg = key.getValue("alg");
    Object kty = key.getValue("kty");
    return (use == null || "sig".equals(use)) && ("RSA".equals(kty) || "EC".equals(kty))
      && (alg == null || alg instanceof String name && ALGORITHMS.contains(name));
  }

  private Future<JsonObject> getJson(String url) {
    return client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
        .putHeader("Accept", "application/json").setTimeout(FETCH_TIMEOUT_MS))
      .compose(request -> request.send()
        .expecting(HttpResponseExpectation.SC_OK)
        .compose(HttpClientResponse::body))
      .map(body -> body.toJsonObject())
      .recover(failure -> Future.failedFuture(new IllegalStateException("GET " + url + ": " + failure.getMessage())));
  }

  private static String stripSlash(String url) {
    return url != null && url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
