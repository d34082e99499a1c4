package io.usergate.store;

import io.usergate.error.ErrorCode;
import io.usergate.user.User;
import io.usergate.user.UserId;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static io.usergate.store.Fields.owner;
import static io.usergate.store.Fields.positive;

/** The store's side of the sync job queue: one scope per address, the SQL in {@link Sql}. */
final class JobQueue {

  static final int MAX_IDS = 100_000;

  private final Scopes scopes;
  private final UserWrites writes;
  private final EventBus bus;

  JobQueue(Scopes scopes, UserWrites writes, EventBus bus) {
    this.scopes = scopes;
    this.writes = writes;
    this.bus = bus;
  }

  Future<JsonObject> enqueue(JsonObject body) {
    Long[] ids = UserId.listFromField(body, "ids", MAX_IDS).stream().sorted().distinct().toArray(Long[]::new);
    return scopes.withConnection(connection -> connection.preparedQuery(Sql.ENQUEUE_JOBS).execute(Tuple.of(ids)))
      .map(rows -> new JsonObject().put("enqueued", rows.rowCount()));
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
        .execute(Tuple.of(owner, leaseMs, limit)))
      .map(rows -> {
        JsonArray jobs = new JsonArray();
        for (Row row : rows) {
          jobs.add(new JsonObject().put("id", row.getLong("user_id")).put("attempts", row.getInteger("attempts")));
        }
        return new JsonObject().put("jobs", jobs);
      });
  }

  Future<JsonObject> complete(JsonObject body) {
    String owner = owner(body);
    List<Long> done = UserId.listFromField(body, "done", MAX_IDS);
    List<Long> removed = UserId.listFromField(body, "removed", MAX_IDS);
    List<User> users = UserRows.parse(body, "users");
    OffsetDateTime fetchedAt = UserRows.fetchedAt(body);
    long maxAttempts = positive(body, "maxAttempts");
    Failures failures = Failures.of(body.getValue("failed"));
    Long[] finished = Stream.concat(done.stream(), removed.stream()).sorted().distinct().toArray(Long[]::new);

    UserWrites.Changes changes = new UserWrites.Changes();
    return scopes.withTransaction(connection -> connection.preparedQuery(Sql.COMPLETE_JOBS)
      .execute(Tuple.of(finished, owner))
      .compose(completed -> {
        Set<Long> held = new HashSet<>();
        completed.forEach(row -> held.add(row.getLong("user_id")));
        List<User> heldUsers = users.stream().filter(user -> held.contains(user.id())).toList();
        Long[] heldRemoved = removed.stream().filter(held::contains).sorted().toArray(Long[]::new);
        JsonObject counts = new JsonObject()
          .put("done", done.stream().filter(held::contains).count())
          .put("removed", heldRemoved.length);
        return writes.upsert(connection, heldUsers, fetchedAt, null, changes)
          .compose(written -> writes.delete(connection, heldRemoved, changes))
          .compose(deleted -> failures.isEmpty() ? Future.succeededFuture(List.<Row>of())
            : connection.preparedQuery(Sql.FAIL_JOBS)
              .execute(Tuple.of(owner, failures.ids(), failures.errors(), failures.delays(), maxAttempts))
              .map(rows -> {
                List<Row> list = new ArrayList<>();
                rows.forEach(list::add);
                return list;
              }))
          .compose(failedRows -> connection.query(Sql.COUNT_PENDING_JOBS).execute().map(pending -> {
            long givenUp = failedRows.stream().filter(row -> "failed".equals(row.getString("state"))).count();
            return counts
              .put("retried", failedRows.size() - givenUp)
              .put("failed", givenUp)
              .put("notHeld", finished.length - held.size() + failures.size() - failedRows.size())
              .put("pendingLeft", pending.iterator().next().getLong(0));
          }));
      }))
      .onSuccess(committed -> changes.publish(bus));
  }

  Future<JsonObject> release(JsonObject body) {
    String owner = owner(body);
    Long[] ids = UserId.listFromField(body, "ids", MAX_IDS).stream().sorted().distinct().toArray(Long[]::new);
    return scopes.withConnection(connection -> connection.preparedQuery(Sql.RELEASE_JOBS).execute(Tuple.of(ids, owner)))
      .map(rows -> new JsonObject().put("released", rows.rowCount()));
  }

  Future<JsonObject> status(JsonObject body) {
    return scopes.withConnection(connection -> connection.query(Sql.COUNT_JOBS_BY_STATE).execute())
      .map(rows -> {
        JsonObject counts = new JsonObject().put("pending", 0L).put("running", 0L).put("done", 0L).put("failed", 0L);
        rows.forEach(row -> counts.put(row.getString("state"), row.getLong("jobs")));
        return counts;
      });
  }

  /** The failed attempts of a completion, in arrays ready for {@link Sql#FAIL_JOBS}. */
  private record Failures(Long[] ids, String[] errors, Long[] delays) {

    static Failures of(Object value) {
      if (value == null) {
        return new Failures(new Long[0], new String[0], new Long[0]);
      }
      if (!(value instanceof JsonArray array)) {
        throw ErrorCode.BAD_REQUEST.error("failed must be an array of {id, error, delayMs}");
      }
      Long[] ids = new Long[array.size()];
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
