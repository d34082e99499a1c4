package io.usergate.store;

import io.usergate.error.ErrorCode;
import io.usergate.user.User;
import io.usergate.user.UserId;
import io.vertx.core.json.JsonObject;

import java.time.OffsetDateTime;

/** The checks of the store's message fields, shared by its rooms: a wrong one is 400, naming the field. */
final class Fields {

  private Fields() {
  }

  /** The lease holder's name: a non-empty string. */
  static String owner(JsonObject body) {
    Object owner = body == null ? null : body.getValue("owner");
    if (!(owner instanceof String text) || text.isBlank()) {
      throw ErrorCode.BAD_REQUEST.error("owner must be a non-empty string");
    }
    return text;
  }

  static long positive(JsonObject body, String field) {
    Object value = body == null ? null : body.getValue(field);
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < 1) {
      throw ErrorCode.BAD_REQUEST.error(field + " must be a positive integer, not " + User.describe(value));
    }
    return ((Number) value).longValue();
  }

  static long nonNegative(JsonObject body, String field) {
    Object value = body == null ? null : body.getValue(field);
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < 0) {
      throw ErrorCode.BAD_REQUEST.error(field + " must be an integer ≥ 0, not " + User.describe(value));
    }
    return ((Number) value).longValue();
  }

  /** An optional text: a non-empty string, or null when absent. */
  static String optionalText(JsonObject body, String field) {
    Object value = body == null ? null : body.getValue(field);
    if (value != null && !(value instanceof String text && !text.isEmpty())) {
      throw ErrorCode.BAD_REQUEST.error(field + " must be a non-empty string or null, not " + User.describe(value));
    }
    return (String) value;
  }

  /** A row's timestamp as the store's answers carry it: an ISO-8601 instant, or null. */
  static String instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant().toString();
  }

  /**
   * A keyset page's {@code after}: an id, the last of the previous page ({@link UserId}); absent, empty or 0
   * (what integer callers sent for "from the start"): "" (every id comes after it in byte order).
   */
  static String after(JsonObject body) {
    Object value = body == null ? null : body.getValue("after");
    if (value == null || "".equals(value) || Integer.valueOf(0).equals(value) || Long.valueOf(0).equals(value)) {
      return "";
    }
    String id = UserId.text(value);
    if (id == null) {
      throw ErrorCode.BAD_REQUEST.error("after must be an id (" + UserId.RULE + "), not " + User.describe(value));
    }
    return id;
  }
}
