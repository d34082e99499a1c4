package io.usergate.user;

import io.usergate.error.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** Reading user ids from requests: a positive 64-bit integer, and nothing else. */
public final class UserId {

  private UserId() {
  }

  /** Whether a JSON value is a positive integer that fits a {@code long}. */
  public static boolean isPositiveInteger(Object value) {
    return (value instanceof Integer || value instanceof Long) && ((Number) value).longValue() > 0;
  }

  /** The id in {@code field} of a bus message, or {@code BAD_REQUEST} naming the field. */
  public static long fromField(JsonObject body, String field) {
    Object value = body == null ? null : body.getValue(field);
    if (!isPositiveInteger(value)) {
      throw ErrorCode.BAD_REQUEST.error(field + " must be a positive integer, not " + User.describe(value));
    }
    return ((Number) value).longValue();
  }

  /** The ids in the array {@code field} of a bus message, at most {@code max}, or {@code BAD_REQUEST}. */
  public static List<Long> listFromField(JsonObject body, String field, int max) {
    Object value = body == null ? null : body.getValue(field);
    if (!(value instanceof JsonArray array)) {
      throw ErrorCode.BAD_REQUEST.error(field + " must be an array of positive integers, not " + User.describe(value));
    }
    if (array.size() > max) {
      throw ErrorCode.BAD_REQUEST.error(field + " holds " + array.size() + " ids; at most " + max + " are allowed");
    }
    List<Long> ids = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      Object id = array.getValue(i);
      if (!isPositiveInteger(id)) {
        throw ErrorCode.BAD_REQUEST.error(field + "[" + i + "] must be a positive integer, not " + User.describe(id));
      }
      ids.add(((Number) id).longValue());
    }
    return ids;
  }

  /**
   * An id from text (a URL path or query): ASCII digits only, or {@code BAD_REQUEST}. Java's own
   * parser also takes other scripts' digits ({@code ٧}, {@code ７}), which would make two URLs name one user.
   */
  public static long parse(String text, String what) {
    if (text != null && !text.isEmpty() && text.length() <= 19 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      try {
        long id = Long.parseLong(text);
        if (id > 0) {
          return id;
        }
      } catch (NumberFormatException aboveLongMax) {
        // 19 digits hold numbers up to 9999999999999999999, above Long.MAX_VALUE: not an id either.
      }
    }
    throw ErrorCode.BAD_REQUEST.error(what + " must be a positive integer, not " + User.describe(text));
  }
}
