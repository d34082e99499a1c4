package io.usergate.store;

import io.usergate.error.ErrorCode;
import io.usergate.user.User;
import io.usergate.user.UserId;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import static io.usergate.store.Fields.instant;
import static io.usergate.store.Fields.nonNegative;
import static io.usergate.store.Fields.optionalText;
import static io.usergate.store.Fields.owner;
import static io.usergate.store.Fields.positive;

/**
 * The store's side of the paged walk ({@code usergate.store.walk.*}): one scope per address. A page's
 * users and the walk's new position are one transaction, so the position never runs ahead of what is
 * stored, and a walk cut short resumes from the last page committed.
 */
final class WalkRows {

  /** A page holds at most 1000 entries (sync.listPageSize). */
  private static final int MAX_INACTIVE = 1000;
  private static final LeaseAnswers ANSWERS = new LeaseAnswers("walk", WalkRows::json);

  private final Scopes scopes;
  private final UserWrites writes;

  WalkRows(Scopes scopes, UserWrites writes) {
    this.scopes = scopes;
    this.writes = writes;
  }

  /** {@code {"owner", "leaseMs"}} → {@code {"held": true, "walk": {...}}}, or held false and the walk as it is. */
  Future<JsonObject> begin(JsonObject body) {
    String owner = owner(body);
    long leaseMs = positive(body, "leaseMs");
    return scopes.withConnection(connection -> connection.preparedQuery(Sql.BEGIN_WALK).execute(Tuple.of(owner, leaseMs))
      .compose(taken -> taken.size() == 1 ? Future.succeededFuture(ANSWERS.held(taken))
        : connection.query(Sql.GET_WALK).execute().map(ANSWERS::heldByAnother)));
  }

  /**
   * {@code {"owner", "generation", "offset", "nextOffset", "nextCursor"?, "users": [...], "inactive"?: [ids],
   * "invalid", "total", "fetchedAt", "leaseMs"}} → {@code {"held": true, "walk"}}: the users stored, marked with the
   * generation, the inactive ones (listed, but marked inactive under sync.inactive remove) removed, and the position
   * (and the next page's cursor, when the directory pages by cursor) moved, in one transaction; held false (nothing
   * written) when the lease is not held. The inactive count as listed: gone from the mirror already, the sweep
   * cannot remove them again.
   */
  Future<JsonObject> page(JsonObject body) {
    String owner = owner(body);
    long generation = positive(body, "generation");
    long offset = nonNegative(body, "offset");
    long nextOffset = nonNegative(body, "nextOffset");
    List<User> users = UserRows.parse(body, "users");
    String[] inactive = (body.getValue("inactive") == null ? List.<String>of()
      : UserId.listFromField(body, "inactive", MAX_INACTIVE)).stream().sorted().distinct().toArray(String[]::new);
    long invalid = nonNegative(body, "invalid");
    Long total = body.getValue("total") == null ? null : nonNegative(body, "total");
    OffsetDateTime fetchedAt = UserRows.fetchedAt(body);
    long leaseMs = positive(body, "leaseMs");
    String nextCursor = optionalText(body, "nextCursor");
    UserWrites.Changes changes = new UserWrites.Changes();
    return scopes.withTransaction(connection -> connection.preparedQuery(Sql.ADVANCE_WALK)
      .execute(Tuple.of(owner, generation, offset, nextOffset, users.size() + inactive.length, invalid).addValue(total)
        .addLong(leaseMs).addString(nextCursor))
      .compose(advanced -> advanced.size() == 0 ? Future.succeededFuture(LeaseAnswers.notHeld())
        : writes.upsert(connection, users, fetchedAt, generation, changes)
          .compose(written -> writes.delete(connection, inactive, changes))
          .map(deleted -> ANSWERS.held(advanced))))
      .onSuccess(committed -> writes.committed(changes));
  }

  /**
   * {@code {"owner", "generation", "message", "leaseMs"}} → {@code {"held", "walk"}}: the walk starts again from
   * the first page, as a new generation ({@link Sql#RESTART_WALK}); held false when the lease is not held.
   */
  Future<JsonObject> restart(JsonObject body) {
    String owner = owner(body);
    long generation = positive(body, "generation");
    String message = body.getValue("message") instanceof String text ? text : "restarted from the first page";
    long leaseMs = positive(body, "leaseMs");
    return scopes.withConnection(connection -> connection.preparedQuery(Sql.RESTART_WALK)
        .execute(Tuple.of(owner, generation, message, leaseMs)))
      .map(ANSWERS::heldOrNot);
  }

  /**
   * {@code {"owner", "generation", "maxRemoveFraction", "note"?}} → {@code {"held", "walk"}}: the walk is complete.
   * The users it did not list, and that were fetched before it started, are gone from the directory and
   * are removed, unless that would remove more than {@code maxRemoveFraction} of the mirror, or the walk
   * cannot be sure (the directory's total changed under it, or it listed entries that are not users):
   * then the walk is {@code stopped} and says why, and nothing is removed. A {@code note} (the walk restarted
   * on its way) is added to its message.
   */
  Future<JsonObject> finish(JsonObject body) {
    String owner = owner(body);
    long generation = positive(body, "generation");
    Object fraction = body.getValue("maxRemoveFraction");
    if (!(fraction instanceof Number number) || number.doubleValue() < 0 || number.doubleValue() > 1) {
      throw ErrorCode.BAD_REQUEST.error("maxRemoveFraction must be a number from 0 to 1, not " + fraction);
    }
    double maxRemoveFraction = number.doubleValue();
    String note = body.getValue("note") instanceof String text && !text.isEmpty() ? "; " + text : "";
    UserWrites.Changes changes = new UserWrites.Changes();
    return scopes.withTransaction(connection -> connection.preparedQuery(Sql.LOCK_WALK).execute(Tuple.of(owner, generation))
      .compose(locked -> {
        if (locked.size() == 0) {
          return Future.succeededFuture(LeaseAnswers.notHeld());
        }
        Row walk = locked.iterator().next();
        OffsetDateTime startedAt = walk.getOffsetDateTime("started_at");
        return connection.preparedQuery(Sql.COUNT_UNLISTED).execute(Tuple.of(generation, startedAt)).compose(counts -> {
          Row count = counts.iterator().next();
          long unlisted = count.getLong("unlisted");
          long mirrored = count.getLong("mirrored");
          String doubt = doubt(walk, unlisted, mirrored, maxRemoveFraction);
          Future<Integer> removed = doubt != null || unlisted == 0 ? Future.succeededFuture(0)
            : connection.preparedQuery(Sql.UNLISTED_IDS).execute(Tuple.of(generation, startedAt)).compose(ids -> {
              List<String> gone = new ArrayList<>();
              ids.forEach(row -> gone.add(row.getString("id")));
              return writes.delete(connection, gone.toArray(String[]::new), changes);
            });
          return removed.compose(gone -> connection.preparedQuery(Sql.END_WALK)
            .execute(Tuple.of(doubt == null ? "done" : "stopped", gone,
              (doubt == null ? "complete: " + walk.getLong("users") + " users listed, " + gone + " removed" : doubt) + note)))
            .map(ANSWERS::held);
        });
      }))
      .onSuccess(committed -> writes.committed(changes));
  }

  /** Why a complete walk must not remove what it did not list, or null when it may. */
  private static String doubt(Row walk, long unlisted, long mirrored, double maxRemoveFraction) {
    Long first = walk.getLong("first_total");
    Long last = walk.getLong("total");
    if (first != null && last != null && !first.equals(last)) {
      return "nothing removed: the directory's total went from " + first + " to " + last
        + " during the walk, so its pages moved and a user may have been skipped";
    }
    long invalid = walk.getLong("invalid");
    if (invalid > 0) {
      return "nothing removed: the directory listed " + invalid + " entr" + (invalid == 1 ? "y" : "ies")
        + " that are not valid users (see mapping.*), so the walk cannot tell who is gone";
    }
    if (unlisted > 0 && unlisted > maxRemoveFraction * mirrored) {
      return "nothing removed: the walk would remove " + unlisted + " of " + mirrored
        + " users, more than sync.walkMaxRemoveFraction (" + maxRemoveFraction + "); a directory that lists "
        + "fewer users than it has must not empty the mirror. Check the directory, then walk again";
    }
    return null;
  }

  /** {@code {"owner", "message"}} → {@code {"held", "walk"}}: resumable later from its position. */
  Future<JsonObject> interrupt(JsonObject body) {
    String owner = owner(body);
    String message = body.getValue("message") instanceof String text ? text : "interrupted";
    return scopes.withConnection(connection -> connection.preparedQuery(Sql.INTERRUPT_WALK).execute(Tuple.of(owner, message)))
      .map(ANSWERS::heldOrNot);
  }

  /** {@code {}} → the walk as it is. */
  Future<JsonObject> status(JsonObject body) {
    return scopes.withConnection(connection -> connection.query(Sql.GET_WALK).execute())
      .map(rows -> json(rows.iterator().next()));
  }

  /** The walk row as the status shows it. */
  static JsonObject json(Row row) {
    OffsetDateTime leaseExpires = row.getOffsetDateTime("lease_expires_at");
    boolean leased = leaseExpires != null && leaseExpires.isAfter(OffsetDateTime.now());
    return new JsonObject()
      .put("state", row.getString("state"))
      .put("generation", row.getLong("generation"))
      .put("nextOffset", row.getLong("next_offset"))
      .put("nextCursor", row.getString("next_cursor"))
      .put("pages", row.getLong("pages"))
      .put("users", row.getLong("users"))
      .put("invalid", row.getLong("invalid"))
      .put("total", row.getLong("total"))
      .put("removed", row.getLong("removed"))
      .put("startedAt", instant(row.getOffsetDateTime("started_at")))
      .put("updatedAt", instant(row.getOffsetDateTime("updated_at")))
      .put("finishedAt", instant(row.getOffsetDateTime("finished_at")))
      .put("owner", leased ? row.getString("lease_owner") : null)
      .put("message", row.getString("message"));
  }
}
