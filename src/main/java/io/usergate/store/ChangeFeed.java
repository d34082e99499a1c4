package io.usergate.store;

import io.usergate.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import static io.usergate.store.Fields.nonNegative;
import static io.usergate.store.Fields.positive;

/**
 * Reading and trimming the change feed ({@code user_changes}); writing it is {@link UserWrites}'s, in the
 * transaction of each change. Sequence order is commit order, so a reader that continues after the last
 * sequence it saw misses nothing, unless the feed was trimmed past it: then it is told (410).
 */
final class ChangeFeed {

  static final int MAX_LIMIT = 1000;
  static final int DEFAULT_LIMIT = 100;

  private final Scopes scopes;
  private final SqlClient reads;

  ChangeFeed(Scopes scopes, SqlClient reads) {
    this.scopes = scopes;
    this.reads = reads;
  }

  /**
   * {@code {"after": seq, "limit": n}} → {@code {"changes": [...], "next": seq}}: continue after
   * {@code next}. Or {@code {"tail": n}}: the newest n changes, to follow from {@code next} (a ticker).
   */
  Future<JsonObject> read(JsonObject body) {
    if (body.getValue("tail") != null) {
      return tail(body);
    }
    long after = body.getValue("after") == null ? 0 : nonNegative(body, "after");
    long limit = body.getValue("limit") == null ? DEFAULT_LIMIT : positive(body, "limit");
    if (limit > MAX_LIMIT) {
      throw ErrorCode.BAD_REQUEST.error("limit must be an integer from 1 to " + MAX_LIMIT + ", not " + limit);
    }
    return scopes.read(reads, client -> client.query(Sql.CHANGES_RANGE).execute()
      .compose(range -> {
        Row kept = range.iterator().next();
        long trimmedUpTo = kept.getLong("upto");
        if (after < trimmedUpTo) {
          Long oldest = kept.getLong("oldest");
          throw ErrorCode.CHANGES_GONE.error("the changes after " + after + " are no longer kept (changes.retainMs): "
            + (oldest == null ? "none is kept now" : "the oldest kept is " + oldest)
            + "; resynchronise from GET /store/users, then follow the feed after " + trimmedUpTo);
        }
        return client.preparedQuery(Sql.READ_CHANGES).execute(Tuple.of(after, limit));
      }))
      .map(rows -> {
        JsonArray changes = new JsonArray();
        long next = after;
        for (Row row : rows) {
          JsonObject change = UserWrites.change(row);
          changes.add(change);
          next = change.getLong("seq");
        }
        return new JsonObject().put("changes", changes).put("next", next);
      });
  }

  private Future<JsonObject> tail(JsonObject body) {
    long tail = positive(body, "tail");
    if (tail > MAX_LIMIT || body.getValue("after") != null) {
      throw ErrorCode.BAD_REQUEST.error("tail must be an integer from 1 to " + MAX_LIMIT + ", and not with after");
    }
    return scopes.read(reads, client -> client.preparedQuery(Sql.READ_CHANGES_TAIL).execute(Tuple.of(tail))
      .compose(rows -> client.query(Sql.CHANGES_RANGE).execute().map(range -> {
        JsonArray changes = new JsonArray();
        rows.forEach(row -> changes.add(0, UserWrites.change(row)));
        Long newest = range.iterator().next().getLong("newest");
        long next = changes.isEmpty() ? Math.max(newest == null ? 0 : newest, range.iterator().next().getLong("upto"))
          : changes.getJsonObject(changes.size() - 1).getLong("seq");
        return new JsonObject().put("changes", changes).put("next", next);
      })));
  }

  /** {@code {"retainMs": ms}} → {@code {"trimmed": n}}: changes older than that removed (the sync calls it). */
  Future<JsonObject> trim(JsonObject body) {
    long retainMs = positive(body, "retainMs");
    return scopes.withConnection(connection -> connection.preparedQuery(Sql.TRIM_CHANGES).execute(Tuple.of(retainMs)))
      .map(rows -> new JsonObject().put("trimmed", rows.iterator().next().getLong("trimmed")));
  }
}
