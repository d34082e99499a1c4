package io.usergate.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.usergate.metrics.Metrics;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.HashMap;
import java.util.Map;

/**
 * {@code usergate_caller_requests_total{caller, code}}: the routes' answers by who asked. Vert.x's own request
 * meters are labelled when the request arrives, from the request alone, before anyone knows its caller; this
 * counter is labelled when the answer ends. The caller is {@link Guard#callerName}: a configured name,
 * {@code token}, {@code jwt}, {@code anonymous} or {@code refused} (never a value of the request), the code one
 * usergate answers: at most (callers + 4) × the codes it sends, whatever a client does. By route: {@code vertx_http_server_requests_total}.
 * One per web instance, confined to its event loop; the registry holds one counter per label pair for all.
 */
final class CallerRequests implements Handler<RoutingContext> {

  static final String NAME = "usergate.caller.requests";

  private MeterRegistry countedIn;
  private final Map<String, Map<Integer, Counter>> counters = new HashMap<>();

  @Override
  public void handle(RoutingContext ctx) {
    ctx.addEndHandler(ended -> count(Guard.callerName(ctx), ctx.response().getStatusCode()));
    ctx.next();
  }

  private void count(String caller, int status) {
    MeterRegistry registry = Metrics.registry().orElse(null);
    if (registry == null) {
      return;
    }
    if (registry != countedIn) {
      counters.clear();
      countedIn = registry;
    }
    counters.computeIfAbsent(caller, name -> new HashMap<>())
      .computeIfAbsent(status, code -> Counter.builder(NAME).description("answers of the routes, by caller and status code")
        .tag("caller", caller).tag("code", Integer.toString(code)).register(registry))
      .increment();
  }
}
