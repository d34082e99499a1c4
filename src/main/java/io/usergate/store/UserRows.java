package io.usergate.store;

import io.usergate.error.ErrorCode;
import io.usergate.user.User;
import io.usergate.user.UserId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  /**
   * The ETags by id in {@code field} of a message ({@code {"7": "W/\"3\""}}), absent: none. Each is kept and sent
   * back exactly as the directory gave it, so it is checked only as {@link StoreMessages#keepableEtag} does.
   */
  static Map<String, String> etags(JsonObject body, String field) {
    Object value = body == null ? null : body.getValue(field);
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof JsonObject byId)) {
      throw ErrorCode.BAD_REQUEST.error(field + " must be an object of ETags by user id");
    }
    if (byId.size() > MAX_UPSERT) {
      throw ErrorCode.BAD_REQUEST.error(field + " holds " + byId.size() + " ETags; at most " + MAX_UPSERT + " are allowed");
    }
    Map<String, String> etags = new HashMap<>();
    for (Map.Entry<String, Object> entry : byId) {
      String id = UserId.text(entry.getKey());
      if (id == null || !StoreMessages.keepableEtag(entry.getValue())) {
        throw ErrorCode.BAD_REQUEST.error(field + ": the ETag of " + User.describe(entry.getKey()) + " must be a string of 1 to "
          + StoreMessages.MAX_ETAG + " characters without control characters, not " + User.describe(entry.getValue()));
      }
      etags.put(id, (String) entry.getValue());
    }
    return etags;
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
