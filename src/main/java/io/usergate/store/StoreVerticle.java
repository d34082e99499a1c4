package io.usergate.store;

import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.usergate.user.User;
import io.usergate.user.UserId;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Owns the PostgreSQL pool and all SQL; every other verticle reaches the database through its addresses
 * ({@link StoreAddresses}). Configuration: the {@code pg} section, naming the server to use.
 */
public class StoreVerticle extends VerticleBase {

  static final int UPSERT_CHUNK = 1000;
  static final int MAX_UPSERT = 100_000;
  static final int MAX_PAGE = 1000;
  static final int DEFAULT_PAGE = 100;

  private static final Logger LOG = LoggerFactory.getLogger(StoreVerticle.class);

  private Pool pool;
  private SqlClient reads;
  private Scopes scopes;

  @Override
  public Future<?> start() {
    JsonObject pg = config().getJsonObject("pg");
    pool = PoolFactory.create(vertx, pg);
    reads = PoolFactory.createReadClient(vertx, pg);
    scopes = new Scopes(vertx, pool, pg.getInteger("scopeTimeoutMs"));
    EventBus bus = vertx.eventBus();
    return Future.all(List.of(
        bus.<JsonObject>consumer(StoreAddresses.PING, message -> answer(message, this::ping)).completion(),
        bus.<JsonObject>consumer(StoreAddresses.GET, this::get).completion(),
        bus.<JsonObject>consumer(StoreAddresses.LIST, message -> answer(message, this::list)).completion(),
        bus.<JsonObject>consumer(StoreAddresses.UPSERT, message -> answer(message, this::upsert)).completion(),
        bus.<JsonObject>consumer(StoreAddresses.DELETE, message -> answer(message, this::delete)).completion()))
      .onSuccess(v -> LOG.info("store: pool of {} connection(s) to {}:{}/{}", pg.getInteger("maxSize"),
        pg.getString("host"), pg.getInteger("port"), pg.getString("database")));
  }

  @Override
  public Future<?> stop() {
    return Future.join(pool.close(), reads.close());
  }

  /** Runs a handler and replies with its result, or with its failure in the error contract. */
  private static void answer(Message<JsonObject> message, Function<JsonObject, Future<JsonObject>> handler) {
    Future<JsonObject> result;
    try {
      result = handler.apply(message.body());
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onSuccess(message::reply).onFailure(failure -> StoreErrors.classify(failure).replyTo(message));
  }

  private Future<JsonObject> ping(JsonObject body) {
    return scopes.withConnection(connection -> connection.query(Sql.PING).execute())
      .map(rows -> new JsonObject().put("ok", true));
  }

  private void get(Message<JsonObject> message) {
    long id;
    try {
      id = UserId.fromField(message.body(), "id");
    } catch (UsergateException e) {
      e.replyTo(message);
      return;
    }
    scopes.read(reads, client -> client.preparedQuery(Sql.GET_USER).execute(Tuple.of(id)))
      .onSuccess(rows -> {
        if (rows.size() == 0) {
          ErrorCode.NOT_FOUND.error("the store has no user " + id, id).replyTo(message);
          return;
        }
        Row row = rows.iterator().next();
        message.reply(row.getJsonObject("profile"), new DeliveryOptions()
          .addHeader(StoreAddresses.FETCHED_AT_HEADER, row.getOffsetDateTime("fetched_at").toInstant().toString()));
      })
      .onFailure(failure -> StoreErrors.classify(failure).replyTo(message));
  }

  private Future<JsonObject> list(JsonObject body) {
    long after = body.getValue("after") == null ? 0 : nonNegative(body, "after");
    int limit = body.getValue("limit") == null ? DEFAULT_PAGE : pageSize(body);
    return scopes.read(reads, client -> client.preparedQuery(Sql.LIST_USERS).execute(Tuple.of(after, limit + 1)))
      .map(rows -> {
        JsonArray users = new JsonArray();
        Long next = null;
        for (Row row : rows) {
          if (users.size() == limit) {
            next = users.getJsonObject(limit - 1).getLong("id");
            break;
          }
          users.add(row.getJsonObject("profile"));
        }
        return new JsonObject().put("users", users).put("next", next);
      });
  }

  private Future<JsonObject> upsert(JsonObject body) {
    List<User> users = usersOf(body);
    OffsetDateTime fetchedAt = fetchedAtOf(body);
    if (users.isEmpty()) {
      return Future.succeededFuture(new JsonObject().put("upserted", 0));
    }
    return scopes.withTransaction(connection -> upsertChunks(connection, users, fetchedAt, 0, 0))
      .map(written -> new JsonObject().put("upserted", written));
  }

  /** One statement per chunk, one after the other on the transaction's connection. */
  private static Future<Integer> upsertChunks(SqlConnection connection, List<User> users, OffsetDateTime fetchedAt,
                                              int from, int written) {
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
    return connection.preparedQuery(Sql.UPSERT_USERS)
      .execute(Tuple.of(ids, names, usernames, emails, profiles, fetchedAt))
      .compose(rows -> upsertChunks(connection, users, fetchedAt, from + chunk.size(), written + rows.rowCount()));
  }

  private Future<JsonObject> delete(JsonObject body) {
    long id = UserId.fromField(body, "id");
    return scopes.withConnection(connection -> connection.preparedQuery(Sql.DELETE_USER).execute(Tuple.of(id)))
      .map(rows -> new JsonObject().put("deleted", rows.rowCount()));
  }

  /** The users of an upsert, validated, one per id (the last one wins), sorted by id. */
  private static List<User> usersOf(JsonObject body) {
    Object value = body == null ? null : body.getValue("users");
    if (!(value instanceof JsonArray array)) {
      throw ErrorCode.BAD_REQUEST.error("users must be an array of users");
    }
    if (array.size() > MAX_UPSERT) {
      throw ErrorCode.BAD_REQUEST.error("users holds " + array.size() + " users; at most " + MAX_UPSERT + " are allowed");
    }
    TreeMap<Long, User> byId = new TreeMap<>();
    for (int i = 0; i < array.size(); i++) {
      String problem = User.problemWith(array.getValue(i), null);
      if (problem != null) {
        throw ErrorCode.BAD_REQUEST.error("users[" + i + "]: " + problem);
      }
      User user = User.of(array.getJsonObject(i));
      byId.put(user.id(), user);
    }
    return new ArrayList<>(byId.values());
  }

  private static OffsetDateTime fetchedAtOf(JsonObject body) {
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

  private static long nonNegative(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < 0) {
      throw ErrorCode.BAD_REQUEST.error(field + " must be an integer ≥ 0, not " + value);
    }
    return ((Number) value).longValue();
  }

  private static int pageSize(JsonObject body) {
    Object value = body.getValue("limit");
    if (!(value instanceof Integer limit) || limit < 1 || limit > MAX_PAGE) {
      throw ErrorCode.BAD_REQUEST.error("limit must be an integer from 1 to " + MAX_PAGE + ", not " + value);
    }
    return limit;
  }
}
