package io.usergate.store;

import io.usergate.HeaderNames;
import io.usergate.cache.UserCache;
import io.usergate.user.User;
import io.usergate.user.UserId;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every write of users in the mirror, and with it (when {@code changes.enabled}) its row in the
 * {@code user_changes} outbox, in the caller's transaction. The changes of a transaction are gathered in
 * a {@link Changes}, published on {@link StoreAddresses#USER_CHANGED} once it has committed.
 */
final class UserWrites {

  static final int UPSERT_CHUNK = 1000;

  /**
   * What one transaction wrote: the ids it touched and the changes it recorded, in sequence order; acted
   * on only after it commits ({@link #committed}).
   */
  static final class Changes {
    private final List<JsonObject> recorded = new ArrayList<>();
    /** The users upserted, with their content's hash (what the node's cache may keep), and those deleted. */
    private final Map<String, Integer> upserted = new HashMap<>();
    private final List<String> deleted = new ArrayList<>();
    private boolean locked;
  }

  private final boolean recordChanges;
  private final EventBus bus;
  private final UserCache cache;
  /** Says which Vert.x wrote a change: its own verticles know what they wrote (the fetch room's copies). */
  private final DeliveryOptions fromThisNode;

  UserWrites(boolean recordChanges, EventBus bus, UserCache cache, String nodeToken) {
    this.recordChanges = recordChanges;
    this.bus = bus;
    this.cache = cache;
    this.fromThisNode = new DeliveryOptions().addHeader(HeaderNames.BUS_NODE, nodeToken);
  }

  /**
   * The transaction of {@code changes} has committed: this node's cache lets go of what it changed (at once,
   * and with no change feed too), then its changes are published for every node's cache.
   */
  void committed(Changes changes) {
    changes.upserted.forEach((id, hash) -> cache.changed(id, false, hash));
    changes.deleted.forEach(id -> cache.changed(id, true, null));
    changes.recorded.forEach(change -> bus.publish(StoreAddresses.USER_CHANGED, change, fromThisNode));
  }

  /**
   * Upserts sorted, distinct users: one statement per chunk, one after the other, each user marked as
   * listed by walk {@code generation} (null: not a walk). Returns the rows written. No ETag is kept with them.
   */
  Future<Integer> upsert(SqlConnection connection, List<User> users, OffsetDateTime fetchedAt, Long generation, Changes changes) {
    return upsert(connection, users, Map.of(), fetchedAt, generation, changes);
  }

  /** As {@link #upsert(SqlConnection, List, OffsetDateTime, Long, Changes)}, each user with its upstream ETag in {@code etags} (by id; absent: none). */
  Future<Integer> upsert(SqlConnection connection, List<User> users, Map<String, String> etags, OffsetDateTime fetchedAt,
                         Long generation, Changes changes) {
    users.forEach(user -> changes.upserted.put(user.id(), user.profile().hashCode()));
    return lock(connection, changes).compose(locked -> upsertFrom(connection, users, etags, fetchedAt, generation, changes, 0, 0));
  }

  /**
   * The directory confirmed these copies (a 304 to the ETag by id in {@code etags}) at {@code fetchedAt}: their
   * fetch time moves, nothing else (no change to record, no cache to tell). Returns the rows renewed.
   */
  Future<Integer> revalidate(SqlConnection connection, Map<String, String> etags, OffsetDateTime fetchedAt) {
    if (etags.isEmpty()) {
      return Future.succeededFuture(0);
    }
    String[] ids = etags.keySet().stream().sorted().toArray(String[]::new);
    String[] tags = new String[ids.length];
    for (int i = 0; i < ids.length; i++) {
      tags[i] = etags.get(ids[i]);
    }
    return connection.preparedQuery(Sql.REVALIDATE_USERS).execute(Tuple.of(ids, tags, fetchedAt)).map(RowSet::rowCount);
  }

  /** Removes users {@code ids} (sorted); returns how many were there. */
  Future<Integer> delete(SqlConnection connection, String[] ids, Changes changes) {
    if (ids.length == 0) {
      return Future.succeededFuture(0);
    }
    changes.deleted.addAll(List.of(ids));
    if (!recordChanges) {
      return connection.preparedQuery(Sql.DELETE_USERS).execute(Tuple.of((Object) ids)).map(RowSet::rowCount);
    }
    return lock(connection, changes)
      .compose(locked -> connection.preparedQuery(Sql.DELETE_USERS_RECORDED).execute(Tuple.of((Object) ids)))
      .map(rows -> recorded(rows, changes));
  }

  /** The lock of the change feed, once per transaction, before its first write (see {@link Sql#LOCK_CHANGES}). */
  private Future<Void> lock(SqlConnection connection, Changes changes) {
    if (!recordChanges || changes.locked) {
      return Future.succeededFuture();
    }
    changes.locked = true;
    return connection.query(Sql.LOCK_CHANGES).execute().mapEmpty();
  }

  private Future<Integer> upsertFrom(SqlConnection connection, List<User> users, Map<String, String> etags,
                                     OffsetDateTime fetchedAt, Long generation, Changes changes, int from, int written) {
    if (from >= users.size()) {
      return Future.succeededFuture(written);
    }
    List<User> chunk = users.subList(from, Math.min(from + UPSERT_CHUNK, users.size()));
    String[] ids = new String[chunk.size()];
    String[] names = new String[chunk.size()];
    String[] usernames = new String[chunk.size()];
    String[] emails = new String[chunk.size()];
    String[] profiles = new String[chunk.size()];
    String[] tags = new String[chunk.size()];
    for (int i = 0; i < chunk.size(); i++) {
      User user = chunk.get(i);
      ids[i] = user.id();
      names[i] = user.name();
      usernames[i] = user.username();
      emails[i] = user.email();
      profiles[i] = user.profile().encode();
      tags[i] = etags.get(user.id());
    }
    Tuple row = Tuple.of(ids, names, usernames, emails, profiles, fetchedAt).addValue(generation).addValue(tags);
    Future<Integer> statement = recordChanges
      ? connection.preparedQuery(Sql.UPSERT_USERS_RECORDED).execute(row).map(rows -> recorded(rows, changes))
      : connection.preparedQuery(Sql.UPSERT_USERS).execute(row).map(RowSet::rowCount);
    return statement.compose(count -> upsertFrom(connection, users, etags, fetchedAt, generation, changes, from + chunk.size(), written + count));
  }

  /** The changes in the rows of a recorded write, gathered; returns the rows written. */
  private static int recorded(RowSet<Row> rows, Changes changes) {
    int written = 0;
    for (Row row : rows) {
      written = row.getInteger("written");
      if (row.getLong("seq") != null) {
        JsonObject change = change(row);
        // The content written, for the caches that may hold it already (a write-through's own fetch).
        Integer hash = "removed".equals(change.getString("kind")) ? null : changes.upserted.get(UserId.text(change.getValue("id")));
        changes.recorded.add(hash == null ? change : change.put("contentHash", hash));
      }
    }
    return written;
  }

  /** A row of user_changes as the feed shows it: {@code {"seq", "id", "kind", "fields", "at"}}. */
  static JsonObject change(Row row) {
    String[] fields = row.getArrayOfStrings("fields");
    return new JsonObject()
      .put("seq", row.getLong("seq"))
      .put("id", UserId.json(row.getString("user_id")))
      .put("kind", row.getString("kind"))
      .put("fields", fields == null ? null : new JsonArray(List.of((Object[]) fields)))
      .put("at", row.getOffsetDateTime("at").toInstant().toString());
  }
}
