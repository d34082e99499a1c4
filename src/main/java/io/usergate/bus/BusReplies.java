package io.usergate.bus;

import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.usergate.log.RequestIds;
import io.usergate.user.User;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.function.Function;

/**
 * The one way a usergate consumer answers a bus request. It checks first that the body is a JSON
 * object (a bridge or another node may send anything: an array, a string, nothing), then replies with
 * the handler's result (to a sender in this Vert.x as a shared body, never copied: handlers build a
 * fresh reply and never touch it again) or with its failure in the error contract.
 */
public final class BusReplies {

  private static final Logger LOG = LoggerFactory.getLogger(BusReplies.class);

  /**
   * A reply body with the headers that go with it ({@code source}, {@code fetchedAt}, ...). The body is a
   * JSON object; or, for a sender in this Vert.x that asked for it, the JSON already encoded (a Buffer).
   */
  public record Reply(Object body, Map<String, String> headers) {

    public static Reply of(JsonObject body) {
      return new Reply(body, Map.of());
    }
  }

  private BusReplies() {
  }

  /** Answers with the handler's JSON object, failures classified as the contract's errors. */
  public static void answer(Message<?> message, Function<JsonObject, Future<JsonObject>> handler) {
    answer(message, handler, UsergateException::from);
  }

  /** As {@link #answer(Message, Function)}, with the consumer's own reading of its failures. */
  public static void answer(Message<?> message, Function<JsonObject, Future<JsonObject>> handler,
                            Function<Throwable, UsergateException> classify) {
    answerWithHeaders(message, body -> handler.apply(body).map(Reply::of), classify);
  }

  /** Answers with a body and reply headers. */
  public static void answerWithHeaders(Message<?> message, Function<JsonObject, Future<Reply>> handler,
                                       Function<Throwable, UsergateException> classify) {
    // The sender's request id, for every log line this handling writes and every message it sends on.
    RequestIds.adopt(message);
    // Decided on arrival, on the consumer's context: shared (no copy) only for a sender in this Vert.x.
    DeliveryOptions replyOptions = SharedJsonCodec.replyOptions(Vertx.currentContext().owner(), message);
    long started = System.nanoTime();
    Future<Reply> result;
    try {
      result = handler.apply(requestBody(message));
    } catch (RuntimeException e) {
      // Validation throws the contract's errors synchronously; a bug throws anything else.
      result = Future.failedFuture(e);
    }
    result
      .onSuccess(reply -> {
        // Bytes go as bytes: the shared codec is for JSON objects.
        DeliveryOptions options = reply.body() instanceof JsonObject ? replyOptions : new DeliveryOptions();
        reply.headers().forEach(options::addHeader);
        message.reply(reply.body(), options);
      })
      .onFailure(failure -> classify.apply(failure).replyTo(message))
      .onComplete(done -> {
        if (LOG.isDebugEnabled()) {
          LOG.debug("bus: {} answered {} in {} ms", message.address(), done.succeeded() ? "ok" : UsergateException.from(done.cause()).code(),
            (System.nanoTime() - started) / 1_000_000);
        }
      });
  }

  /** The body as a JSON object, or {@code BAD_REQUEST} saying what came instead. */
  public static JsonObject requestBody(Message<?> message) {
    if (message.body() instanceof JsonObject body) {
      return body;
    }
    throw ErrorCode.BAD_REQUEST.error("the message body must be a JSON object, not " + User.describe(message.body()));
  }
}
