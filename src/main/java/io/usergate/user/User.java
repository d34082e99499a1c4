package io.usergate.user;

import io.vertx.core.json.JsonObject;

/**
 * A user of the directory. The upstream's JSON object is kept whole as {@code profile}; a few of its
 * fields are lifted out to be queried. A valid user has an {@code id} ({@link UserId}: its text is the key;
 * the JSON keeps it as the directory sent it) and a non-empty string {@code name}; every other field is kept
 * as it came.
 */
public record User(String id, String name, String username, String email, JsonObject profile) {

  /** The user in {@code json}, which must be valid (see {@link #problemWith}). */
  public static User of(JsonObject json) {
    return new User(UserId.text(json.getValue("id")), json.getString("name"), optionalString(json, "username"),
      optionalString(json, "email"), json);
  }

  /**
   * What is wrong with {@code value} as a user, or {@code null} when it is a valid one.
   *
   * @param expectedId the id that was asked for, or {@code null} when any id will do
   */
  public static String problemWith(Object value, String expectedId) {
    if (!(value instanceof JsonObject json)) {
      return "a user must be a JSON object, not " + describe(value);
    }
    String id = UserId.text(json.getValue("id"));
    if (id == null) {
      return "a user's id must be " + UserId.RULE + ", not " + describe(json.getValue("id"));
    }
    if (expectedId != null && !id.equals(expectedId)) {
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
