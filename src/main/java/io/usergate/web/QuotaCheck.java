package io.usergate.web;

import io.usergate.HeaderNames;
import io.usergate.auth.Caller;
import io.usergate.auth.Quotas;
import io.usergate.error.UsergateException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * A caller's {@code ratePerSecond} on the routes: every request of a caller with a quota takes from its
 * budget ({@link Quotas}), before any route runs, so a hit counts as a miss does. Beyond it, 429 with
 * {@code Retry-After} and the draft's {@code RateLimit-Policy} and {@code RateLimit}. The SockJS bridge's
 * HTTP requests are left to the bridge, which counts its frames.
 */
final class QuotaCheck implements Handler<RoutingContext> {

  private final Quotas quotas;

  QuotaCheck(Quotas quotas) {
    this.quotas = quotas;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Caller caller;
    try {
      caller = Guard.caller(ctx);
    } catch (UsergateException refused) {
      // Not identified: its route answers why; an unknown key has no quota to take from.
      ctx.next();
      return;
    }
    if (caller == null || caller.ratePerSecond() <= 0 || ctx.request().path().startsWith("/eventbus/")) {
      ctx.next();
      return;
    }
    Quotas.Exceeded exceeded = quotas.take(caller);
    if (exceeded == null) {
      ctx.next();
      return;
    }
    ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(exceeded.retryAfterSeconds()))
      .putHeader(HeaderNames.HTTP_RATE_LIMIT_POLICY, exceeded.policy())
      .putHeader(HeaderNames.HTTP_RATE_LIMIT, exceeded.rateLimit());
    ctx.fail(exceeded.error());
  }
}
