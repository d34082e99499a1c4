package io.usergate.web;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/** The bearer token of the write routes and of writes over the bridges, compared in constant time. */
final class BearerAuth {

  private static final Logger LOG = LoggerFactory.getLogger(BearerAuth.class);

  private final byte[] expected;

  private static final String SCHEME = "Bearer";

  /** {@code token} null: writes are open (only ever on a loopback address). */
  BearerAuth(String token) {
    this.expected = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The token policy: the configured token; none on a loopback {@code host} means writes open to local
   * callers; none on any other address means a generated token, logged once.
   */
  static BearerAuth forHost(String host, String configured) {
    if (configured != null && !configured.isBlank()) {
      return new BearerAuth(configured);
    }
    if (isLoopback(host)) {
      LOG.info("web: auth.token is not set and {} is loopback: write routes are open to local callers", host);
      return new BearerAuth(null);
    }
    String generated = generateToken();
    LOG.warn("web: auth.token is not set and {} is not loopback; generated token for write routes: {}", host, generated);
    return new BearerAuth(generated);
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  static String generateToken() {
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }

  /**
   * Whether an {@code Authorization} header value carries the token: the scheme is case-insensitive
   * (RFC 9110 11.1), the token compared in constant time.
   */
  boolean accepts(String authorization) {
    if (expected == null) {
      return true;
    }
    String given = "";
    if (authorization != null) {
      String trimmed = authorization.strip();
      int space = trimmed.indexOf(' ');
      if (space == SCHEME.length() && trimmed.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
        given = trimmed.substring(space + 1).strip();
      }
    }
    return MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8));
  }

  /** Route handler: lets the request through, or fails it with 401. */
  void check(RoutingContext ctx) {
    if (accepts(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))) {
      ctx.next();
    } else {
      ctx.fail(new HttpException(401));
    }
  }
}
