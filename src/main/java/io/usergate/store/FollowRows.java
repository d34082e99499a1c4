package io.usergate.store;

import io.usergate.error.ErrorCode;
import io.usergate.user.User;
import io.usergate.user.UserId;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.TreeSet;

import static io.usergate.store.Fields.instant;
import static io.usergate.store.Fields.nonNegative;
import static io.usergate.store.Fields.optionalText;
import static io.usergate.store.Fields.owner;
import static io.usergate.store.Fields.positive;

/**
 * The store's side of following the directory's changes ({@code usergate.store.follow.*}): one scope per address.
 * A page's users, the users it says were removed, and the follower's new position (next link, delta link,
 * watermark) are one transaction, written by the walk's writer ({@link UserWrites}): the change feed records
 * created, updated with its fields, and removed, and a follower cut short resumes from the last page committed.
 */
final class FollowRows {

  private static final List<String> STATES = List.of("idle", "following", "resync");
  private static final int MAX_REMOVED = UserRows.MAX_UPSERT;
  private static final LeaseAnswers ANSWERS = new LeaseAnswers("follow", FollowRows::json);

  private final Scopes scopes;
  private final UserWrites writes;

  FollowRows(Scopes scopes, UserWrites writes) {
    this.scopes = scopes;
    this.writes = writes;
  }

  /** {@code {"owner", "leaseMs", "kind"}} → {@code {"held": true, "follow", "position"}}, or held false and the follower as it is. */
  Future<JsonObject> begin(JsonObject body) {
    String owner = owner(body);
    long leaseMs = positive(body, "leaseMs");
    Object kind = body.getValue("kind");
    if (!"delta".equals(kind) && !"changedSince".equals(kind)) {
      throw ErrorCode.BAD_REQUEST.error("kind must be delta or changedSince, not " + User.describe(kind));
    }
    return scopes.withConnection(connection -> connection.preparedQuery(Sql.BEGIN_FOLLOW).execute(Tuple.of(owner, leaseMs, kind))
      .compose(taken -> taken.size() == 1 ? Future.succeededFuture(ANSWERS.held(taken).put("position", position(taken.iterator().next())))
        : connection.query(Sql.GET_FOLLOW).execute().map(ANSWERS::heldByAnother)));
  }

  /** See {@link StoreAddresses#FOLLOW_PAGE}. */
  Future<JsonObject> page(JsonObject body) {
    String owner = owner(body);
    List<User> users = UserRows.parse(body, "users");
    String[] removed = removedIds(body);
    OffsetDateTime fetchedAt = UserRows.fetchedAt(body);
    long leaseMs = positive(body, "leaseMs");
    Object state = body.getValue("state");
    if (!STATES.contains(state)) {
      throw ErrorCode.BAD_REQUEST.error("state must be one of " + STATES + ", not " + User.describe(state));
    }
    Tuple row = Tuple.of(owner, state, optionalText(body, "nextCursor"), nonNegative(body, "nextOffset"),
        optionalText(body, "deltaLink"), body.getBoolean("linkNew", false))
      .addValue(time(body, "roundSince")).addValue(time(body, "roundStartedAt")).addValue(time(body, "watermark"))
      .addBoolean(body.getBoolean("roundEnd", false)).addLong((long) users.size()).addLong((long) removed.length)
      .addLong(leaseMs).addString(optionalText(body, "message"));
    UserWrites.Changes changes = new UserWrites.Changes();
    return scopes.withTransaction(connection -> connection.preparedQuery(Sql.ADVANCE_FOLLOW).execute(row)
      .compose(advanced -> advanced.size() == 0 ? Future.succeededFuture(LeaseAnswers.notHeld())
        : writes.upsert(connection, users, fetchedAt, null, changes)
          .compose(written -> writes.delete(connection, removed, changes))
          .map(gone -> ANSWERS.held(advanced).put("removed", gone))))
      .onSuccess(committed -> writes.committed(changes));
  }

  /** {@code {"owner", "reason", "leaseMs"}} → {@code {"held", "follow"}}. */
  Future<JsonObject> resync(JsonObject body) {
    String owner = owner(body);
    String reason = body.getValue("reason") instanceof String text && !text.isBlank() ? text : "the directory refused the delta link";
    long leaseMs = positive(body, "leaseMs");
    return scopes.withConnection(connection -> connection.preparedQuery(Sql.RESYNC_FOLLOW).execute(Tuple.of(owner, reason, leaseMs)))
      .map(ANSWERS::heldOrNot);
  }

  /** {@code {"owner", "message"}} → {@code {"held", "follow"}}. */
  Future<JsonObject> resynced(JsonObject body) {
    String owner = owner(body);
    return scopes.withConnection(connection -> connection.preparedQuery(Sql.RESYNCED_FOLLOW).execute(Tuple.of(owner, optionalText(body, "message"))))
      .map(ANSWERS::heldOrNot);
  }

  /** {@code {"owner", "message"?}} → {@code {"held", "follow"}}. */
  Future<JsonObject> release(JsonObject body) {
    String owner = owner(body);
    return scopes.withConnection(connection -> connection.preparedQuery(Sql.RELEASE_FOLLOW).execute(Tuple.of(owner, optionalText(body, "message"))))
      .map(ANSWERS::heldOrNot);
  }

  /** {@code {}} → the follower as {@code GET /sync} shows it. */
  Future<JsonObject> status(JsonObject body) {
    return scopes.withConnection(connection -> connection.query(Sql.GET_FOLLOW).execute()).map(rows -> json(rows.iterator().next()));
  }

  /** The ids of {@code removed}: sorted and distinct (as every delete of the store takes them). */
  private static String[] removedIds(JsonObject body) {
    Object value = body.getValue("removed");
    if (value == null) {
      return new String[0];
    }
    if (!(value instanceof JsonArray array) || array.size() > MAX_REMOVED) {
      throw ErrorCode.BAD_REQUEST.error("removed must be an array of at most " + MAX_REMOVED + " ids");
    }
    TreeSet<String> ids = new TreeSet<>();
    for (Object id : array) {
      String text = UserId.text(id);
      if (text == null) {
        throw ErrorCode.BAD_REQUEST.error("removed holds " + User.describe(id) + ", not an id (" + UserId.RULE + ")");
      }
      ids.add(text);
    }
    return ids.toArray(String[]::new);
  }

  private static OffsetDateTime time(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(String.valueOf(value)).atOffset(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw ErrorCode.BAD_REQUEST.error(field + " must be an ISO-8601 instant, not " + User.describe(value));
    }
  }

  /** Where the follower goes on from: for the sync only (the links are long, and the status shows their age instead). */
  private static JsonObject position(Row row) {
    return new JsonObject()
      .put("nextCursor", row.getString("next_cursor"))
      .put("nextOffset", row.getLong("next_offset"))
      .put("deltaLink", row.getString("delta_link"))
      .put("watermark", instant(row.getOffsetDateTime("watermark")))
      .put("roundSince", instant(row.getOffsetDateTime("round_since")))
      .put("roundStartedAt", instant(row.getOffsetDateTime("round_started_at")));
  }

  /** The follower's row as the status shows it (the {@code delta} object of {@code GET /sync}). */
  static JsonObject json(Row row) {
    OffsetDateTime leaseExpires = row.getOffsetDateTime("lease_expires_at");
    boolean leased = leaseExpires != null && leaseExpires.isAfter(OffsetDateTime.now());
    OffsetDateTime linkAt = row.getOffsetDateTime("link_at");
    return new JsonObject()
      .put("kind", row.getString("kind"))
      .put("state", row.getString("state"))
      .put("midRound", row.getString("next_cursor") != null || row.getLong("next_offset") > 0)
      .put("linkAt", instant(linkAt))
      .put("linkAgeMs", linkAt == null ? null : Math.max(0, Duration.between(linkAt.toInstant(), Instant.now()).toMillis()))
      .put("watermark", instant(row.getOffsetDateTime("watermark")))
      .put("rounds", row.getLong("rounds"))
      .put("pages", row.getLong("pages"))
      .put("upserted", row.getLong("upserted"))
      .put("removed", row.getLong("removed"))
      .put("lastRoundAt", instant(row.getOffsetDateTime("last_round_at")))
      .put("resyncs", row.getLong("resyncs"))
      .put("lastResyncAt", instant(row.getOffsetDateTime("resync_at")))
      .put("resyncReason", row.getString("resync_reason"))
      .put("updatedAt", instant(row.getOffsetDateTime("updated_at")))
      .put("owner", leased ? row.getString("lease_owner") : null)
      .put("message", row.getString("message"));
  }
}
