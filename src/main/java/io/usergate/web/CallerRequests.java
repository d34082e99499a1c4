package io.usergate.web;

import io.usergate.metrics.CounterFamily;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code usergate_caller_requests_total{caller, code}}: the routes' answers by who asked. Vert.x's own request
 * meters are labelled when the request arrives, from the request alone, before anyone knows its caller; this
 * counter is labelled when the answer ends. The caller is {@link Guard#callerName}: a configured name,
 * {@code token}, {@code jwt}, {@code anonymous} or {@code refused} (never a value of the request), the code one
 * usergate answers: at most (callers + 4) × the codes it sends, whatever a client does. By route:
 * {@code vertx_http_server_requests_total}.
 * One per web instance, confined to its event loop ({@link CounterFamily}); the registry holds one counter per label
 * pair for all.
 */
final class CallerRequests implements Handler<RoutingContext> {

  static final String NAME = "usergate.caller.requests";

  private final CounterFamily answers = new CounterFamily(NAME, "answers of the routes, by caller and status code",
    "caller", "code");

  @Override
  public void handle(RoutingContext ctx) {
    ctx.addEndHandler(ended -> answers.increment(Guard.callerName(ctx), Integer.toString(ctx.response().getStatusCode())));
    ctx.next();
  }
}
