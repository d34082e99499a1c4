package io.usergate.store;

import io.usergate.error.ErrorCode;
import io.usergate.user.User;
import io.usergate.user.UserId;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static io.usergate.store.Fields.owner;
import static io.usergate.store.Fields.positive;

/** The store's side of the sync job queue: one scope per address, the SQL in {@link Sql}. */
final class JobQueue {

  static final int MAX_IDS = 100_000;
  /** Ids in one enqueue ({@code usergate.sync.enqueue}, {@code POST /sync}) at the most. */
  public static final int MAX_ENQUEUE = 10_000;

  private final Scopes scopes;
  private final UserWrites writes;

  JobQueue(Scopes scopes, UserWrites writes) {
    this.scopes = scopes;
    this.writes = writes;
  }

  /** Jobs asked for explicitly run before refreshes: within a priority, the oldest first. */
  static final int EXPLICIT = 1;
  /** The job states, and those an operator may retry or discard (a running job belongs to its lease holder). */
  static final Set<String> STATES = Set.of("pending", "running", "done", "failed");
  static final Set<String> SETTLED_STATES = Set.of("pending", "done", "failed");
  static final int MAX_PAGE = 1000;

  /** {@code {"ids"}} → {@code {"enqueued": n}}; the sync of every node is woken at commit. */
  Future<JsonObject> enqueue(JsonObject body) {
    String[] ids = UserId.listFromField(body, "ids", MAX_ENQUEUE).stream().sorted().distinct().toArray(String[]::new);
    return scopes.withTransaction(connection -> connection.preparedQuery(Sql.ENQUEUE_JOBS).execute(Tuple.of(ids, EXPLICIT))
        .compose(rows -> notifying(connection, rows.rowCount())))
      .map(enqueued -> new JsonObject().put("enqueued", enqueued));
  }

  /** {@code count}, after a NOTIFY in the caller's transaction when it is not 0 (a burst of rows, one wake). */
  private static Future<Integer> notifying(SqlConnection connection, int count) {
    return count == 0 ? Future.succeededFuture(0)
      : connection.query(Sql.NOTIFY_JOBS).execute().map(notified -> count);
  }

  /**
   * {@code {"state"?, "after"?, "limit"?}} → {@code {"jobs": [{"id", "state", "attempts", "lastError",
   * "runAfter", "updatedAt", "priority"}], "next": id | null}}: keyset pages by user id, in byte order;
   * {@code after} is an id (absent or empty: from the start).
   */
  Future<JsonObject> list(JsonObject body) {
    String state = body.getValue("state") == null ? null : checkedState(body, STATES);
    String after = Fields.after(body);
    long limit = body.getValue("limit") == null ? 100 : positive(body, "limit");
    if (limit > MAX_PAGE) {
      throw ErrorCode.BAD_REQUEST.error("limit must be an integer from 1 to " + MAX_PAGE + ", not " + limit);
    }
    return scopes.withConnection(connection -> connection.preparedQuery(Sql.LIST_JOBS).execute(Tuple.of(state, after, limit + 1)))
      .map(rows -> {
        JsonArray jobs = new JsonArray();
        Object next = null;
        for (Row row : rows) {
          if (jobs.size() == limit) {
            next = jobs.getJsonObject(jobs.size() - 1).getValue("id");
            break;
          }
          jobs.add(new JsonObject()
            .put("id", UserId.json(row.getString("user_id")))
            .put("state", row.getString("state"))
            .put("attempts", row.getInteger("attempts"))
            .put("lastError", row.getString("last_error"))
            .put("runAfter", row.getOffsetDateTime("run_after").toInstant().toString())
            .put("updatedAt", row.getOffsetDateTime("updated_at").toInstant().toString())
            .put("priority", row.getInteger("priority")));
        }
        return new JsonObject().put("jobs", jobs).put("next", next);
      });
  }

  /** {@code {"ids"} | {"state"}} → {@code {"retried": n}}: pending now, attempts reset; the syncs woken. */
  Future<JsonObject> retry(JsonObject body) {
    Selection selection = Selection.of(body);
    return scopes.withTransaction(connection -> connection.preparedQuery(Sql.RETRY_JOBS).execute(Tuple.of(selection.ids(), selection.state()))
        .compose(rows -> notifying(connection, rows.rowCount())))
      .map(retried -> new JsonObject().put("retried", retried));
  }

  /** {@code {"ids"} | {"state"}} → {@code {"discarded": n}}: out of the queue; the mirror keeps the users. */
  Future<JsonObject> discard(JsonObject body) {
    Selection selection = Selection.of(body);
    return scopes.withConnection(connection -> connection.preparedQuery(Sql.DISCARD_JOBS).execute(Tuple.of(selection.ids(), selection.state())))
      .map(rows -> new JsonObject().put("discarded", rows.rowCount()));
  }

  /** The jobs an operator names: {@code ids}, or every job of a {@code state}; exactly one of them. */
  private record Selection(String[] ids, String state) {

    static Selection of(JsonObject body) {
      boolean byIds = body.getValue("ids") != null;
      boolean byState = body.getValue("state") != null;
      if (byIds == byState) {
        throw ErrorCode.BAD_REQUEST.error("name the jobs by {\"ids\": [...]} or by {\"state\": \"failed\"}, one of the two");
      }
      if (byIds) {
        return new Selection(UserId.listFromField(body, "ids", MAX_IDS).stream().sorted().distinct().toArray(String[]::new), null);
      }
      return new Selection(new String[0], checkedState(body, SETTLED_STATES));
    }
  }

  private static String checkedState(JsonObject body, Set<String> allowed) {
    Object state = body.getValue("state");
    if ("running".equals(state) && !allowed.contains("running")) {
      throw ErrorCode.BAD_REQUEST.error("running jobs are leased by a sync, which finishes or hands them back; "
        + "retry or discard pending, done or failed ones");
    }
    if (!(state instanceof String text) || !allowed.contains(text)) {
      throw ErrorCode.BAD_REQUEST.error("state must be one of " + new TreeSet<>(allowed) + ", not "
        + User.describe(state));
    }
    return text;
  }

  Future<JsonObject> refresh(JsonObject body) {
    long staleAfterMs = positive(body, "staleAfterMs");
    long limit = positive(body, "limit");
    return scopes.withConnection(connection -> connection.preparedQuery(Sql.ENQUEUE_STALE_USERS)
        .execute(Tuple.of(staleAfterMs, limit)))
      .map(rows -> new JsonObject().put("enqueued", rows.rowCount()));
  }

  Future<JsonObject> claim(JsonObject body) {
    String owner = owner(body);
    long limit = positive(body, "limit");
    long leaseMs = positive(body, "leaseMs");
    return scopes.withConnection(connection -> connection.preparedQuery(Sql.CLAIM_JOBS)
        .execute(Tuple.of(owner, leaseMs, limit))
        .compose(rows -> nextDueInMs(connection).map(nextDueInMs -> {
          JsonArray jobs = new JsonArray();
          for (Row row : rows) {
            jobs.add(new JsonObject().put("id", UserId.json(row.getString("user_id"))).put("attempts", row.getInteger("attempts")));
          }
          return new JsonObject().put("jobs", jobs).put("nextDueInMs", nextDueInMs);
        })));
  }

  /** In how many ms the earliest pending job not yet due falls due, by the database's clock; null: none. */
  private static Future<Long> nextDueInMs(SqlConnection connection) {
    return connection.query(Sql.NEXT_DUE_IN_MS).execute().map(rows -> rows.iterator().next().getLong("next_due_in_ms"));
  }

  Future<JsonObject> complete(JsonObject body) {
    String owner = owner(body);
    List<String> done = UserId.listFromField(body, "done", MAX_IDS);
    List<String> removed = UserId.listFromField(body, "removed", MAX_IDS);
    List<User> users = UserRows.parse(body, "users");
    Map<String, String> etags = UserRows.etags(body, "etags");
    Map<String, String> revalidated = UserRows.etags(body, "revalidated");
    OffsetDateTime fetchedAt = UserRows.fetchedAt(body);
    long maxAttempts = positive(body, "maxAttempts");
    Failures failures = Failures.of(body.getValue("failed"));
    String[] finished = Stream.concat(done.stream(), removed.stream()).sorted().distinct().toArray(String[]::new);

    UserWrites.Changes changes = new UserWrites.Changes();
    return scopes.withTransaction(connection -> connection.preparedQuery(Sql.COMPLETE_JOBS)
      .execute(Tuple.of(finished, owner))
      .compose(completed -> {
        Set<String> held = new HashSet<>();
        completed.forEach(row -> held.add(row.getString("user_id")));
        List<User> heldUsers = users.stream().filter(user -> held.contains(user.id())).toList();
        String[] heldRemoved = removed.stream().filter(held::contains).sorted().toArray(String[]::new);
        JsonObject counts = new JsonObject()
          .put("done", done.stream().filter(held::contains).count())
          .put("removed", heldRemoved.length);
        Map<String, String> heldRevalidated = new HashMap<>(revalidated);
        heldRevalidated.keySet().retainAll(held);
        return writes.upsert(connection, heldUsers, etags, fetchedAt, null, changes)
          .compose(written -> writes.revalidate(connection, heldRevalidated, fetchedAt))
          .compose(renewed -> writes.delete(connection, heldRemoved, changes))
          .compose(deleted -> failures.isEmpty() ? Future.succeededFuture(List.<Row>of())
            : connection.preparedQuery(Sql.FAIL_JOBS)
              .execute(Tuple.of(owner, failures.ids(), failures.errors(), failures.delays(), maxAttempts))
              .map(rows -> {
                List<Row> list = new ArrayList<>();
                rows.forEach(list::add);
                return list;
              }))
          .compose(failedRows -> connection.query(Sql.COUNT_PENDING_JOBS).execute().compose(pending -> nextDueInMs(connection)
            .map(nextDueInMs -> {
              long givenUp = failedRows.stream().filter(row -> "failed".equals(row.getString("state"))).count();
              return counts
                .put("retried", failedRows.size() - givenUp)
                .put("failed", givenUp)
                .put("notHeld", finished.length - held.size() + failures.size() - failedRows.size())
                .put("pendingLeft", pending.iterator().next().getLong(0))
                .put("nextDueInMs", nextDueInMs);
            })));
      }))
      .onSuccess(committed -> writes.committed(changes));
  }

  Future<JsonObject> release(JsonObject body) {
    String owner = owner(body);
    String[] ids = UserId.listFromField(body, "ids", MAX_IDS).stream().sorted().distinct().toArray(String[]::new);
    return scopes.withConnection(connection -> connection.preparedQuery(Sql.RELEASE_JOBS).execute(Tuple.of(ids, owner)))
      .map(rows -> new JsonObject().put("released", rows.rowCount()));
  }

  Future<JsonObject> status(JsonObject body) {
    return scopes.withConnection(connection -> connection.query(Sql.COUNT_JOBS_BY_STATE).execute()
      .compose(rows -> {
        JsonObject counts = new JsonObject().put("pending", 0L).put("running", 0L).put("done", 0L).put("failed", 0L);
        rows.forEach(row -> counts.put(row.getString("state"), row.getLong("jobs")));
        return connection.query(Sql.OLDEST_PENDING_AGE).execute()
          .map(oldest -> counts.put("oldestPendingAgeMs", oldest.iterator().next().getLong("age_ms")));
      }));
  }

  /** The failed attempts of a completion, in arrays ready for {@link Sql#FAIL_JOBS}. */
  private record Failures(String[] ids, String[] errors, Long[] delays) {

    static Failures of(Object value) {
      if (value == null) {
        return new Failures(new String[0], new String[0], new Long[0]);
      }
      if (!(value instanceof JsonArray array)) {
        throw ErrorCode.BAD_REQUEST.error("failed must be an array of {id, error, delayMs}");
      }
      String[] ids = new String[array.size()];
      String[] errors = new String[array.size()];
      Long[] delays = new Long[array.size()];
      for (int i = 0; i < array.size(); i++) {
        Object entry = array.getValue(i);
        if (!(entry instanceof JsonObject failure)) {
          throw ErrorCode.BAD_REQUEST.error("failed[" + i + "] must be an object {id, error, delayMs}");
        }
        ids[i] = UserId.fromField(failure, "id");
        errors[i] = String.valueOf(failure.getValue("error"));
        Object delay = failure.getValue("delayMs");
        if (!(delay instanceof Integer || delay instanceof Long) || ((Number) delay).longValue() < 0) {
          throw ErrorCode.BAD_REQUEST.error("failed[" + i + "].delayMs must be an integer ≥ 0");
        }
        delays[i] = ((Number) delay).longValue();
      }
      return new Failures(ids, errors, delays);
    }

    boolean isEmpty() {
      return ids.length == 0;
    }

    int size() {
      return ids.length;
    }
  }
}
