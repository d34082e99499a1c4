package io.usergate.error;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.function.Function;

/** Answers a bus request with a handler's result, or its failure in the error contract. */
public final class BusReplies {

  private BusReplies() {
  }

  public static void answer(Message<JsonObject> message, Function<JsonObject, Future<JsonObject>> handler) {
    answer(message, handler, UsergateException::from);
  }

  /** As {@link #answer(Message, Function)}, with the consumer's own reading of its failures. */
  public static void answer(Message<JsonObject> message, Function<JsonObject, Future<JsonObject>> handler,
                            Function<Throwable, UsergateException> classify) {
    Future<JsonObject> result;
    try {
      result = handler.apply(message.body());
    } catch (RuntimeException e) {
      // Validation throws the contract's errors synchronously; a bug throws anything else.
      result = Future.failedFuture(e);
    }
    result.onSuccess(message::reply).onFailure(failure -> classify.apply(failure).replyTo(message));
  }
}
