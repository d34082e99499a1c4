package io.usergate.store;

import io.usergate.error.ErrorCode;
import io.usergate.user.User;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** Users as the store's messages carry them: parsed and checked where they enter (the writes are {@link UserWrites}'s). */
final class UserRows {

  static final int MAX_UPSERT = 100_000;

  private UserRows() {
  }

  /** The users in {@code field} of a message, validated, one per id (the last one wins), sorted by id. */
  static List<User> parse(JsonObject body, String field) {
    Object value = body == null ? null : body.getValue(field);
    if (!(value instanceof JsonArray array)) {
      throw ErrorCode.BAD_REQUEST.error(field + " must be an array of users");
    }
    if (array.size() > MAX_UPSERT) {
      throw ErrorCode.BAD_REQUEST.error(field + " holds " + array.size() + " users; at most " + MAX_UPSERT + " are allowed");
    }
    TreeMap<String, User> byId = new TreeMap<>();
    for (int i = 0; i < array.size(); i++) {
      String problem = User.problemWith(array.getValue(i), null);
      if (problem != null) {
        throw ErrorCode.BAD_REQUEST.error(field + "[" + i + "]: " + problem);
      }
      User user = User.of(array.getJsonObject(i));
      byId.put(user.id(), user);
    }
    return new ArrayList<>(byId.values());
  }

  /** {@code fetchedAt} of a message (ISO-8601), or now when absent. */
  static OffsetDateTime fetchedAt(JsonObject body) {
    Object value = body.getValue("fetchedAt");
    if (value == null) {
      return OffsetDateTime.now(ZoneOffset.UTC);
    }
    try {
      return Instant.parse(String.valueOf(value)).atOffset(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw ErrorCode.BAD_REQUEST.error("fetchedAt must be an ISO-8601 instant such as 2026-01-31T12:00:00Z, not " + value);
    }
  }
}
