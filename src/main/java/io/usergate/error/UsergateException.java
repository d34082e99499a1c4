package io.usergate.error;

import io.usergate.user.UserId;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * A failure of the contract: a code, a message for people, and the user id it concerns when there is one.
 * It travels over the event bus as a {@link ReplyException} (failure code = HTTP status, message = the
 * error JSON), so the web edge and every bus caller see the same error.
 */
public final class UsergateException extends RuntimeException {

  private final ErrorCode code;
  private final String id;

  UsergateException(ErrorCode code, String message, String id) {
    super(message, null, false, false);
    this.code = code;
    this.id = id;
  }

  public ErrorCode code() {
    return code;
  }

  public String id() {
    return id;
  }

  /** {@code {"error": {"code": ..., "status": ..., "message": ..., "id": ...}}} */
  public JsonObject toJson() {
    JsonObject error = new JsonObject()
      .put("code", code.name())
      .put("status", code.status())
      .put("message", getMessage());
    if (id != null) {
      error.put("id", UserId.json(id));
    }
    return new JsonObject().put("error", error);
  }

  /** Answers a bus request with this error. */
  public void replyTo(Message<?> message) {
    message.fail(code.status(), toJson().encode());
  }

  /**
   * Reads any failure as a contract error: a reply carrying the error JSON, a bus timeout or missing
   * consumer, or (a bug) anything else, which becomes {@code INTERNAL}.
   */
  public static UsergateException from(Throwable failure) {
    if (failure instanceof UsergateException known) {
      return known;
    }
    if (failure instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
        UsergateException parsed = parse(reply.getMessage());
        if (parsed != null) {
          return parsed;
        }
      }
      return switch (reply.failureType()) {
        case TIMEOUT -> ErrorCode.INTERNAL.error("no answer on the event bus in time: " + reply.getMessage());
        case NO_HANDLERS -> ErrorCode.INTERNAL.error("no verticle serves this address: " + reply.getMessage());
        default -> ErrorCode.INTERNAL.error("unexpected bus failure: " + reply.getMessage());
      };
    }
    return ErrorCode.INTERNAL.error("unexpected failure: " + failure);
  }

  private static UsergateException parse(String encoded) {
    if (encoded == null || !encoded.startsWith("{")) {
      return null;
    }
    try {
      JsonObject error = new JsonObject(encoded).getJsonObject("error");
      if (error == null) {
        return null;
      }
      ErrorCode code = ErrorCode.valueOf(error.getString("code"));
      String id = UserId.text(error.getValue("id"));
      return new UsergateException(code, error.getString("message"), id);
    } catch (DecodeException | IllegalArgumentException | ClassCastException e) {
      return null;
    }
  }
}
