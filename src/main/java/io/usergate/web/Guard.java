package io.usergate.web;

import io.usergate.auth.Access;
import io.usergate.auth.ApiKeys;
import io.usergate.auth.Caller;
import io.usergate.auth.JwtCallers;
import io.usergate.auth.Scope;
import io.usergate.error.UsergateException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The routes' side of {@link Access}: each request's caller, found once by the first handler (so that the
 * access log and the metrics can name it), and a handler per scope that lets a route's request through or
 * fails it (400, 401, 403) before its body is read.
 */
final class Guard {

  private static final Logger LOG = LoggerFactory.getLogger(Guard.class);

  /** The request's {@link Caller}, or the {@link UsergateException} that says why it has none. */
  private static final String IDENTIFIED = "usergate.caller";
  private static final String JWT_MAP = "usergate.auth.jwt";

  /** The name of a request whose credential was refused (two, an unknown one, none where one is required). */
  static final String REFUSED = "refused";

  private final Access access;
  /** The deployment's JWT callers (shared by its instances), null without {@code auth.jwtIssuer}. */
  private final JwtCallers jwts;

  Guard(Access access, JwtCallers jwts) {
    this.access = access;
    this.jwts = jwts;
  }

  /**
   * The policy of {@code auth.*} for a service on {@code host}. A token it generates is generated once for
   * the node (every web instance serves the same one) and logged once; the JWT callers are one for the
   * deployment (every instance shares the issuer's keys and the verified tokens).
   */
  static Guard of(Vertx vertx, WebSettings settings) {
    JwtCallers jwts = settings.jwtIssuer() == null ? null : jwtCallers(vertx, settings);
    Access access = Access.of(settings.authRequired(), isLoopback(settings.host()), settings.callers(), settings.token(),
      () -> generatedToken(vertx, settings.host()), settings.metricsOpen(), jwts);
    return new Guard(access, jwts);
  }

  private static JwtCallers jwtCallers(Vertx vertx, WebSettings settings) {
    LocalMap<String, JwtCallers> shared = vertx.sharedData().getLocalMap(JWT_MAP);
    return shared.computeIfAbsent(vertx.getOrCreateContext().deploymentID(), deployment -> JwtCallers.start(vertx,
      settings.jwtIssuer(), settings.jwtAudience(), settings.callers().stream().map(ApiKeys.Keyed::caller).toList()));
  }

  /** The web verticle's undeploy: the deployment's JWT callers stop loading keys (the first instance to stop does it). */
  Future<Void> close(Vertx vertx) {
    if (jwts == null) {
      return Future.succeededFuture();
    }
    vertx.sharedData().<String, JwtCallers>getLocalMap(JWT_MAP).removeIfPresent(vertx.getOrCreateContext().deploymentID(), jwts);
    return jwts.close();
  }

  Access access() {
    return access;
  }

  /**
   * First handler of every request: who is calling, kept for the routes' checks, the access log and the metrics.
   * A JWT seen first may wait for the issuer's keys: the request's body waits with it.
   */
  void identify(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    Future<Caller> identified = access.identify(request.getHeader(HttpHeaders.AUTHORIZATION),
      request.getHeader(Access.API_KEY_HEADER));
    if (identified.isComplete()) {
      identified(ctx, identified);
      return;
    }
    if (!request.isEnded()) {
      request.pause();
    }
    identified.onComplete(done -> {
      if (!request.isEnded()) {
        request.resume();
      }
      identified(ctx, done);
    });
  }

  private static void identified(RoutingContext ctx, AsyncResult<Caller> identified) {
    try {
      ctx.put(IDENTIFIED, Access.caller(identified));
    } catch (UsergateException refused) {
      ctx.put(IDENTIFIED, refused);
    }
    ctx.next();
  }

  /** A route's check: its request goes on only if its caller has {@code scope}. */
  Handler<RoutingContext> need(Scope scope) {
    return ctx -> {
      try {
        Access.require(caller(ctx), scope);
        ctx.next();
      } catch (UsergateException refused) {
        ctx.fail(refused);
      }
    };
  }

  /** {@code /metrics}: open, or {@code status:read}. */
  Handler<RoutingContext> metrics() {
    return access.metricsOpen() ? RoutingContext::next : need(Scope.STATUS_READ);
  }

  /**
   * The request's caller.
   *
   * @throws UsergateException why it has none (two credentials, none where one is required, an unknown one)
   */
  static Caller caller(RoutingContext ctx) {
    Object identified = ctx.get(IDENTIFIED);
    if (identified instanceof UsergateException refused) {
      throw refused;
    }
    return (Caller) identified;
  }

  /**
   * The caller's name for the access log and the metrics: a configured name, {@code token}, {@code jwt},
   * {@code anonymous} (no credential: a {@code /health} probe, or a request a route refuses 401), or
   * {@code refused} (a credential that is nobody's, or two at once).
   */
  static String callerName(RoutingContext ctx) {
    Object identified = ctx.get(IDENTIFIED);
    if (identified instanceof Caller caller) {
      return caller.name();
    }
    HttpServerRequest request = ctx.request();
    boolean credentialGiven = request.getHeader(HttpHeaders.AUTHORIZATION) != null
      || request.getHeader(Access.API_KEY_HEADER) != null;
    return identified == null || !credentialGiven ? Caller.ANONYMOUS_NAME : REFUSED;
  }

  private static String generatedToken(Vertx vertx, String host) {
    LocalMap<String, String> shared = vertx.sharedData().getLocalMap("usergate.auth");
    String candidate = generateToken();
    String earlier = shared.putIfAbsent("generatedToken", candidate);
    if (earlier != null) {
      return earlier;
    }
    LOG.warn("web: no caller is configured (auth.token, auth.callers) and callers are required on {}; generated token "
      + "(Authorization: Bearer TOKEN or X-API-Key: TOKEN, every scope): {}", host, candidate);
    return candidate;
  }

  static String generateToken() {
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }

  static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
