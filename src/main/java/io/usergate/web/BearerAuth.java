package io.usergate.web;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/** The bearer token of the write routes and of writes over the bridges, compared in constant time. */
final class BearerAuth {

  private final byte[] expected;

  /** {@code token} null: writes are open (only ever on a loopback address). */
  BearerAuth(String token) {
    this.expected = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
  }

  static String generateToken() {
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }

  boolean isOpen() {
    return expected == null;
  }

  /** Whether an {@code Authorization} header value carries the token. */
  boolean accepts(String authorization) {
    if (expected == null) {
      return true;
    }
    byte[] given = authorization == null ? new byte[0] : authorization.getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(expected, given);
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
