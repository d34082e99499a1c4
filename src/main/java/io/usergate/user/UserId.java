package io.usergate.user;

import io.usergate.error.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * User ids are the directory's, as text: 1 to {@value #MAX_LENGTH} characters, no control characters,
 * compared exactly (a UUID, an Okta id, {@code auth0|5457…}, a Google number longer than a {@code long}).
 * A JSON integer is read as its decimal text, so integer callers and integer directories work as before;
 * and an id that is such a text goes back out as a JSON integer ({@link #json}), so their answers do too.
 */
public final class UserId {

  public static final int MAX_LENGTH = 256;
  /** What a valid id is, for error messages. */
  public static final String RULE = "a string of 1 to " + MAX_LENGTH + " characters without control characters, "
    + "or an integer";

  private UserId() {
  }

  /** The id a JSON value names (its text), or null when it is no valid id. */
  public static String text(Object value) {
    if (value instanceof String text) {
      return isValid(text) ? text : null;
    }
    if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
      return value.toString();
    }
    return null;
  }

  /** Whether {@code text} is a valid id. */
  public static boolean isValid(String text) {
    if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      if (Character.isISOControl(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The id as JSON: an integer when it is the canonical decimal text of one that fits a {@code long}
   * ({@code "7"} → 7, never {@code "007"}), else the text. Every id usergate writes into an answer goes through here.
   */
  public static Object json(String id) {
    int length = id.length();
    boolean negative = id.charAt(0) == '-';
    int digits = negative ? length - 1 : length;
    if (digits < 1 || digits > 19 || id.charAt(negative ? 1 : 0) == '0' && length > 1) {
      return id;
    }
    for (int i = negative ? 1 : 0; i < length; i++) {
      char c = id.charAt(i);
      if (c < '0' || c > '9') {
        return id;
      }
    }
    try {
      return Long.parseLong(id);
    } catch (NumberFormatException beyondLong) {
      return id;
    }
  }

  /** The id in {@code field} of a bus message, or {@code BAD_REQUEST} naming the field and the rule. */
  public static String fromField(JsonObject body, String field) {
    Object value = body == null ? null : body.getValue(field);
    String id = text(value);
    if (id == null) {
      throw ErrorCode.BAD_REQUEST.error(field + " must be " + RULE + ", not " + User.describe(value));
    }
    return id;
  }

  /** The ids in the array {@code field} of a bus message, at most {@code max}, or {@code BAD_REQUEST}. */
  public static List<String> listFromField(JsonObject body, String field, int max) {
    Object value = body == null ? null : body.getValue(field);
    if (!(value instanceof JsonArray array)) {
      throw ErrorCode.BAD_REQUEST.error(field + " must be an array of ids (" + RULE + "), not " + User.describe(value));
    }
    if (array.size() > max) {
      throw ErrorCode.BAD_REQUEST.error(field + " holds " + array.size() + " ids; at most " + max + " are allowed");
    }
    List<String> ids = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      Object element = array.getValue(i);
      String id = text(element);
      if (id == null) {
        throw ErrorCode.BAD_REQUEST.error(field + "[" + i + "] must be " + RULE + ", not " + User.describe(element));
      }
      ids.add(id);
    }
    return ids;
  }

  /** An id from text (a URL's path segment, already percent-decoded, or a query value), or {@code BAD_REQUEST}. */
  public static String parse(String text, String what) {
    if (!isValid(text)) {
      throw ErrorCode.BAD_REQUEST.error(what + " must be " + RULE.replace(", or an integer", "") + ", not "
        + User.describe(text));
    }
    return text;
  }

  /**
   * A count or a position from text (a query parameter such as {@code limit} or {@code tail}): ASCII digits
   * only, a positive {@code long}, or {@code BAD_REQUEST}. Java's own parser also takes other scripts' digits
   * ({@code ٧}, {@code ７}).
   */
  public static long positive(String text, String what) {
    if (text != null && !text.isEmpty() && text.length() <= 19 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      try {
        long value = Long.parseLong(text);
        if (value > 0) {
          return value;
        }
      } catch (NumberFormatException aboveLongMax) {
        // 19 digits hold numbers up to 9999999999999999999, above Long.MAX_VALUE.
      }
    }
    throw ErrorCode.BAD_REQUEST.error(what + " must be a positive integer, not " + User.describe(text));
  }
}
