package io.usergate.user;

import io.vertx.core.json.JsonObject;

/**
 * A user of the directory. The upstream's JSON object is kept whole as {@code profile}; a few of its
 * fields are lifted out to be queried. A valid user has a positive integer {@code id} and a non-empty
 * string {@code name}; every other field is kept as it came.
 */
public record User(long id, String name, String username, String email, JsonObject profile) {

  /** The user in {@code json}, which must be valid (see {@link #problemWith}). */
  public static User of(JsonObject json) {
    return new User(json.getLong("id"), json.getString("name"), optionalString(json, "username"),
      optionalString(json, "email"), json);
  }

  /**
   * What is wrong with {@code value} as a user, or {@code null} when it is a valid one.
   *
   * @param expectedId the id that was asked for, or {@code null} when any id will do
   */
  public static String problemWith(Object value, Long expectedId) {
    if (!(value instanceof JsonObject json)) {
      return "a user must be a JSON object, not " + describe(value);
    }
    Object id = json.getValue("id");
    if (!UserId.isPositiveInteger(id)) {
      return "a user's id must be a positive integer, not " + describe(id);
    }
    if (expectedId != null && ((Number) id).longValue() != expectedId) {
      return "the user has id " + id + " where " + expectedId + " was asked for";
    }
    Object name = json.getValue("name");
    if (!(name instanceof String text) || text.isBlank()) {
      return "user " + id + " has no name (a non-empty string is required)";
    }
    return null;
  }

  private static String optionalString(JsonObject json, String field) {
    return json.getValue(field) instanceof String text ? text : null;
  }

  /** A short, safe rendering of a value a caller sent, for an error message. */
  public static String describe(Object value) {
    if (value == null) {
      return "nothing";
    }
    String text = value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
    return text.length() > 60 ? text.substring(0, 60) + "…" : text;
  }
}
