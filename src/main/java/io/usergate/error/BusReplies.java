package io.usergate.error;

import io.usergate.bus.SharedJsonCodec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.function.Function;

/**
 * Answers a bus request with a handler's result (to a sender in this Vert.x as a shared body, never
 * copied: handlers build a fresh reply and never touch it again), or its failure in the error contract.
 */
public final class BusReplies {

  private BusReplies() {
  }

  public static void answer(Message<JsonObject> message, Function<JsonObject, Future<JsonObject>> handler) {
    answer(message, handler, UsergateException::from);
  }

  /** As {@link #answer(Message, Function)}, with the consumer's own reading of its failures. */
  public static void answer(Message<JsonObject> message, Function<JsonObject, Future<JsonObject>> handler,
                            Function<Throwable, UsergateException> classify) {
    // Decided on arrival, on the consumer's context: shared (no copy) only for a sender in this Vert.x.
    DeliveryOptions replyOptions = SharedJsonCodec.replyOptions(Vertx.currentContext().owner(), message);
    Future<JsonObject> result;
    try {
      result = handler.apply(message.body());
    } catch (RuntimeException e) {
      // Validation throws the contract's errors synchronously; a bug throws anything else.
      result = Future.failedFuture(e);
    }
    result.onSuccess(reply -> message.reply(reply, replyOptions)).onFailure(failure -> classify.apply(failure).replyTo(message));
  }
}
