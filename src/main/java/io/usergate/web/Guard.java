package io.usergate.web;

import io.usergate.auth.Access;
import io.usergate.auth.Caller;
import io.usergate.auth.Scope;
import io.usergate.error.UsergateException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
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

  /** The name of a request whose credential was refused (two, an unknown one, none where one is required). */
  static final String REFUSED = "refused";

  private final Access access;

  Guard(Access access) {
    this.access = access;
  }

  /**
   * The policy of {@code auth.*} for a service on {@code host}. A token it generates is generated once for
   * the node (every web instance serves the same one) and logged once.
   */
  static Guard of(Vertx vertx, WebSettings settings) {
    Access access = Access.of(settings.authRequired(), isLoopback(settings.host()), settings.callers(), settings.token(),
      () -> generatedToken(vertx, settings.host()), settings.metricsOpen());
    return new Guard(access);
  }

  Access access() {
    return access;
  }

  /** First handler of every request: who is calling, kept for the routes' checks, the access log and the metrics. */
  void identify(RoutingContext ctx) {
    Object identified;
    try {
      identified = access.identify(ctx.request().getHeader(HttpHeaders.AUTHORIZATION),
        ctx.request().getHeader(Access.API_KEY_HEADER));
    } catch (UsergateException refused) {
      identified = refused;
    }
    ctx.put(IDENTIFIED, identified);
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

  /** The caller's name for the access log and the metrics: a configured name, {@code anonymous}, or {@code refused}. */
  static String callerName(RoutingContext ctx) {
    Object identified = ctx.get(IDENTIFIED);
    return identified instanceof Caller caller ? caller.name() : identified == null ? Caller.ANONYMOUS_NAME : REFUSED;
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
