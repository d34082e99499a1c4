package io.usergate.web;

import io.usergate.log.RequestIds;
import io.usergate.user.User;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.function.UnaryOperator;

/**
 * A route's bus request, on behalf of the HTTP request being served (its id travels with it), and the
 * plainest answer: the reply as it came. Every route's answer ends through {@link Answers}.
 */
final class Relay {

  private final EventBus bus;
  private final DeliveryOptions options;

  Relay(EventBus bus, DeliveryOptions options) {
    this.bus = bus;
    this.options = options;
  }

  Future<Message<Object>> request(String address, JsonObject body) {
    return bus.request(address, body, RequestIds.with(options));
  }

  /** Asks {@code address}, and answers {@code status} with its reply as it came. */
  void reply(RoutingContext ctx, int status, String address, JsonObject body) {
    Answers.answer(ctx, request(address, body), reply -> json(ctx, status).end(object(address, reply.body()).toBuffer()));
  }

  /** Asks {@code address}, and answers {@code status} with its reply as {@code shown} makes it (a caller's fields). */
  void reply(RoutingContext ctx, int status, String address, JsonObject body, UnaryOperator<JsonObject> shown) {
    Answers.answer(ctx, request(address, body),
      reply -> json(ctx, status).end(shown.apply(object(address, reply.body())).toBuffer()));
  }

  /** The reply of {@code address}, the JSON object every address answers; anything else is a bug (500). */
  static JsonObject object(String address, Object reply) {
    if (reply instanceof JsonObject object) {
      return object;
    }
    throw new IllegalStateException(address + " answered " + User.describe(reply) + ", not a JSON object");
  }

  static HttpServerResponse json(RoutingContext ctx, int status) {
    return ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
  }
}
