package io.usergate.store;

import io.usergate.error.ErrorCode;
import io.usergate.user.User;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** Writing users: the batch upsert shared by {@code store.upsert} and the sync's job completion. */
final class UserRows {

  static final int UPSERT_CHUNK = 1000;
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
    TreeMap<Long, User> byId = new TreeMap<>();
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

  /** Upserts sorted, distinct users: one statement per chunk, one after the other. Returns rows written. */
  static Future<Integer> upsert(SqlConnection connection, List<User> users, OffsetDateTime fetchedAt) {
    return upsertFrom(connection, users, fetchedAt, null, 0, 0);
  }

  /** As {@link #upsert}, each row marked as listed by walk {@code generation}. */
  static Future<Integer> upsertWalked(SqlConnection connection, List<User> users, OffsetDateTime fetchedAt, long generation) {
    return upsertFrom(connection, users, fetchedAt, generation, 0, 0);
  }

  private static Future<Integer> upsertFrom(SqlConnection connection, List<User> users, OffsetDateTime fetchedAt,
                                            Long generation, int from, int written) {
    if (from >= users.size()) {
      return Future.succeededFuture(written);
    }
    List<User> chunk = users.subList(from, Math.min(from + UPSERT_CHUNK, users.size()));
    Long[] ids = new Long[chunk.size()];
    String[] names = new String[chunk.size()];
    String[] usernames = new String[chunk.size()];
    String[] emails = new String[chunk.size()];
    String[] profiles = new String[chunk.size()];
    for (int i = 0; i < chunk.size(); i++) {
      User user = chunk.get(i);
      ids[i] = user.id();
      names[i] = user.name();
      usernames[i] = user.username();
      emails[i] = user.email();
      profiles[i] = user.profile().encode();
    }
    Tuple row = Tuple.of(ids, names, usernames, emails, profiles, fetchedAt);
    return connection.preparedQuery(generation == null ? Sql.UPSERT_USERS : Sql.UPSERT_WALKED_USERS)
      .execute(generation == null ? row : row.addLong(generation))
      .compose(rows -> upsertFrom(connection, users, fetchedAt, generation, from + chunk.size(), written + rows.rowCount()));
  }
}
