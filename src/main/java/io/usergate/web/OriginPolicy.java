package io.usergate.web;

import io.usergate.HeaderNames;
import io.usergate.auth.Access;
import io.usergate.config.Origins;
import io.usergate.error.ErrorCode;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;

/**
 * Which browser pages may use usergate: its own origin (the dashboard it serves) and the origins of
 * {@code http.allowedOrigins}; any other page is refused with 403 {@code FORBIDDEN}, before a route or a
 * SockJS transport runs, so nothing is read and nothing reaches the bus. The router installs it first.
 *
 * <ul>
 *   <li>A request with {@code Origin} (every WebSocket handshake, every cross-origin fetch or XHR, every
 *       POST) is let through when that origin is the service's own (http + the request's {@code Host},
 *       by whatever name it was reached) or one of the list; {@code Origin: null} (sandboxed frames,
 *       {@code file://} pages, some redirects) and anything that is not an origin are refused. A
 *       listed origin gets its CORS headers from vertx-web's {@link CorsHandler}, preflights included;
 *       the own origin needs none.</li>
 *   <li>A request without {@code Origin} is not from a browser's script (curl, Node, {@code scripts/bus},
 *       other services), or is a browser's plain load of a page or a resource. Those come through,
 *       except a load that the browser says another site started ({@code Sec-Fetch-Site: cross-site} or
 *       {@code same-site}) and that is not a top-level navigation: a {@code <script>} of the jsonp
 *       transport or an {@code <iframe>} of SockJS's {@code iframe.html} (which relays the bus to its
 *       parent by {@code postMessage}) carry no {@code Origin}, and would otherwise read the bus from
 *       any page.</li>
 *   <li>Every answer says {@code Content-Security-Policy: frame-ancestors 'self'}: browsers that do not
 *       send {@code Sec-Fetch-*} still refuse to show usergate's pages inside another site's frame.</li>
 * </ul>
 */
public final class OriginPolicy implements Handler<RoutingContext> {

  static final String FRAME_ANCESTORS = "frame-ancestors 'self'";

  private static final Logger LOG = LoggerFactory.getLogger(OriginPolicy.class);
  private static final String SEC_FETCH_SITE = "Sec-Fetch-Site";
  private static final String SEC_FETCH_MODE = "Sec-Fetch-Mode";
  private static final String SEC_FETCH_DEST = "Sec-Fetch-Dest";
  /** Longest origin quoted back in a refusal. */
  private static final int QUOTE_MAX = 200;

  /** What the rule says about one request. */
  enum Verdict {
    /** No Origin (not a browser's script), or the service's own origin: nothing to add. */
    PASS,
    /** A listed origin: through the CORS handler. */
    CROSS_ORIGIN_ALLOWED,
    REFUSED
  }

  /** A verdict and, when refused, why (the message of the error JSON). */
  record Decision(Verdict verdict, String reason) {
    static final Decision PASS = new Decision(Verdict.PASS, null);
    static final Decision ALLOWED = new Decision(Verdict.CROSS_ORIGIN_ALLOWED, null);

    static Decision refused(String reason) {
      return new Decision(Verdict.REFUSED, reason);
    }
  }

  private final Set<String> allowed;
  private final CorsHandler cors;

  /** {@code allowedOrigins}: the value of {@code http.allowedOrigins} (comma-separated origins, may be empty). */
  OriginPolicy(String allowedOrigins) {
    List<String> origins = Origins.parseAllowList(allowedOrigins);
    this.allowed = Set.copyOf(origins);
    // Only ever reached for a listed origin. (A CorsHandler without origins would allow any: "*".)
    this.cors = origins.isEmpty() ? null : CorsHandler.create()
      .addOrigins(origins)
      .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST))
      .allowedHeaders(Set.of(HttpHeaders.CONTENT_TYPE.toString(), HttpHeaders.AUTHORIZATION.toString(),
        Access.API_KEY_HEADER, HttpHeaders.CACHE_CONTROL.toString()))
      // A page must be able to read why it was refused, and when to come back.
      .exposedHeaders(Set.of(HeaderNames.HTTP_SOURCE, HeaderNames.HTTP_FETCHED_AT,
        HttpHeaders.RETRY_AFTER.toString(), "WWW-Authenticate", HeaderNames.HTTP_RATE_LIMIT,
        HeaderNames.HTTP_RATE_LIMIT_POLICY))
      // sockjs-client sends its XHRs withCredentials: without this the browser drops their answers.
      // usergate sets no cookie that means anything (bearer tokens travel in headers and messages).
      .allowCredentials(true)
      .maxAgeSeconds(600);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    ctx.response().putHeader("Content-Security-Policy", FRAME_ANCESTORS);
    Decision decision = decide(request.scheme(), request.authority(), request.headers());
    switch (decision.verdict()) {
      case PASS -> ctx.next();
      case CROSS_ORIGIN_ALLOWED -> cors.handle(ctx);
      case REFUSED -> {
        LOG.debug("web: refused {} {}: {}", request.method(), request.path(), decision.reason());
        ctx.fail(ErrorCode.FORBIDDEN.error(decision.reason()));
      }
    }
  }

  /** The rule, on what the request says: the server's scheme, its Host (authority) and its headers. */
  Decision decide(String scheme, HostAndPort authority, MultiMap headers) {
    String origin = headers.get(HttpHeaders.ORIGIN);
    if (origin == null) {
      return withoutOrigin(headers);
    }
    if ("null".equals(origin.trim())) {
      return Decision.refused("Origin: null (a sandboxed frame, a file:// page or a redirect) may not use usergate");
    }
    String normalised = Origins.normalise(origin.trim());
    if (normalised == null) {
      return Decision.refused("Origin " + quote(origin) + " is not an origin");
    }
    if (normalised.equals(ownOrigin(scheme, authority))) {
      return Decision.PASS;
    }
    if (allowed.contains(normalised)) {
      return Decision.ALLOWED;
    }
    return Decision.refused("pages of " + quote(origin) + " may not use usergate: only its own origin and those"
      + " of http.allowedOrigins may");
  }

  private static Decision withoutOrigin(MultiMap headers) {
    String site = headers.get(SEC_FETCH_SITE);
    if (site == null || site.equals("same-origin") || site.equals("none")) {
      return Decision.PASS;
    }
    // Another page started this load and did not say its origin: only a top-level navigation (a link
    // to the dashboard) may come through; what it loads, it shows to the user and not to that page.
    String mode = headers.get(SEC_FETCH_MODE);
    String dest = headers.get(SEC_FETCH_DEST);
    if ("navigate".equals(mode) && (dest == null || dest.equals("document"))) {
      return Decision.PASS;
    }
    return Decision.refused("a load that another site started (Sec-Fetch-Site: " + quote(site) + ", Sec-Fetch-Dest: "
      + quote(String.valueOf(dest)) + ") may not use usergate");
  }

  /** {@code http://host[:port]} of the request's own Host; null without one. */
  static String ownOrigin(String scheme, HostAndPort authority) {
    if (authority == null || authority.host() == null || authority.host().isEmpty()) {
      return null;
    }
    String host = authority.host();
    if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return Origins.normalise((scheme == null ? "http" : scheme) + "://" + host + (authority.port() > 0 ? ":" + authority.port() : ""));
  }

  private static String quote(String text) {
    return "\"" + (text.length() > QUOTE_MAX ? text.substring(0, QUOTE_MAX) + "…" : text) + "\"";
  }
}
