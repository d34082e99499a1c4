package io.usergate.log;

import io.usergate.HeaderNames;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.ContextInternal;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The id of the request being served, kept in Vert.x's local context data: each HTTP request and each
 * event-bus message is handled on a duplicated context of its own, so the id follows the request through
 * its callbacks and never leaks to another one, as a thread-local MDC on an event loop would. It crosses
 * verticles in a message header ({@link HeaderNames#BUS_REQUEST_ID}) and reaches the upstream as {@link HeaderNames#HTTP_REQUEST_ID}; log
 * lines get it from {@link RequestIdMdc}. (Local context data is Vert.x's internal API; it is what
 * contextual logging for Vert.x 5 builds on.)
 */
public final class RequestIds {

  /**
   * The MDC key of log lines: the JSON log writes MDC keys as top-level fields, and this is the Elastic Common
   * Schema's field for an id that an X-Request-Id header carries (not {@code trace.id}, which tracing systems
   * read as a W3C trace context id and would correlate with spans that do not exist).
   */
  public static final String MDC_KEY = "http.request.id";
  private static final String KEY = "usergate.requestId";
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._-]{1,128}");
  /**
   * New ids: this process's random prefix and a counter, unique across a cluster and its restarts.
   * UUID.randomUUID per request would take SecureRandom's lock on every request of every event loop.
   */
  private static final String PREFIX = UUID.randomUUID().toString().substring(0, 13) + "-";
  private static final AtomicLong NEXT = new AtomicLong();

  private RequestIds() {
  }

  /** The caller's id when it is sane (at most 128 of {@code [A-Za-z0-9._-]}), a new one otherwise. */
  public static String saneOrNew(String offered) {
    return offered != null && SANE.matcher(offered).matches() ? offered : PREFIX + Long.toString(NEXT.incrementAndGet(), 36);
  }

  /** The request being served on this context has {@code id}; ignored outside a request's own context. */
  public static void set(String id) {
    if (Vertx.currentContext() instanceof ContextInternal context && context.isDuplicate()) {
      context.localContextData().put(KEY, id);
    }
  }

  /** The id of the request being served here, or null. */
  public static String current() {
    Context context = Vertx.currentContext();
    return context instanceof ContextInternal internal && internal.isDuplicate()
      ? (String) internal.localContextData().get(KEY) : null;
  }

  /**
   * A copy of {@code options}, headers copied too (a copy shares them otherwise), for a message sent on
   * behalf of the request being served: it carries its id.
   */
  public static DeliveryOptions with(DeliveryOptions options) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (options.getHeaders() != null) {
      headers.addAll(options.getHeaders());
    }
    String id = current();
    if (id != null) {
      headers.set(HeaderNames.BUS_REQUEST_ID, id);
    }
    return new DeliveryOptions(options).setHeaders(headers);
  }

  /** A message received: its request's id becomes this handling's. */
  public static void adopt(Message<?> message) {
    String id = message.headers().get(HeaderNames.BUS_REQUEST_ID);
    if (id != null && SANE.matcher(id).matches()) {
      set(id);
    }
  }
}
