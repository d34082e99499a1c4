package io.usergate.store;

import io.usergate.bus.BusReplies.Reply;
import io.usergate.bus.SharedJsonCodec;
import io.usergate.cache.CacheSettings;
import io.usergate.cache.UserCache;
import io.usergate.error.ErrorCode;
import io.usergate.user.UserId;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static io.usergate.bus.BusReplies.answer;
import static io.usergate.bus.BusReplies.answerWithHeaders;

/**
 * Owns the PostgreSQL pool and all SQL; every other verticle reaches the database through its addresses
 * ({@link StoreAddresses}). Configuration: {@link PgSettings}, naming the server to use.
 */
public class StoreVerticle extends VerticleBase {

  static final int MAX_PAGE = 1000;
  /** As many as one fetch.many may ask for at the most (upstream.maxIdsPerRequest's range). */
  static final int DEFAULT_PAGE = 100;

  private static final Logger LOG = LoggerFactory.getLogger(StoreVerticle.class);

  private Pool pool;
  private SqlClient reads;
  private Scopes scopes;
  private UserWrites writes;
  /** The node's user cache: the rows this store reads go in it; its writes drop what they change. */
  private UserCache cache;
  private JobWakeups wakeups;
  private long trimTimer = -1;

  @Override
  public Future<?> start() {
    SharedJsonCodec.register(vertx);
    PgSettings pg = PgSettings.from(config());
    pool = PoolFactory.create(vertx, pg);
    reads = PoolFactory.createReadClient(vertx, pg);
    scopes = new Scopes(vertx, pool, pg.scopeTimeoutMs());
    ChangeFeedSettings feedSettings = ChangeFeedSettings.from(config());
    cache = UserCache.of(vertx, CacheSettings.from(config()));
    writes = new UserWrites(feedSettings.enabled(), vertx.eventBus(), cache, SharedJsonCodec.nodeToken(vertx));
    JobQueue jobs = new JobQueue(scopes, writes);
    WalkRows walk = new WalkRows(scopes, writes);
    FollowRows follow = new FollowRows(scopes, writes);
    ChangeFeed feed = new ChangeFeed(scopes, reads);
    wakeups = new JobWakeups(vertx, pg);
    return Future.all(List.of(
        wakeups.start(),
        serve(StoreAddresses.PING, this::ping),
        vertx.eventBus().consumer(StoreAddresses.GET, message -> answerWithHeaders(message, this::get, StoreErrors::classify))
          .completion(),
        // Another node's write: the node's cache lets go of it (this node's own writes did at commit).
        vertx.eventBus().consumer(StoreAddresses.USER_CHANGED, message -> cache.changed(message.body())).completion(),
        serve(StoreAddresses.GET_MANY, this::getMany),
        serve(StoreAddresses.LIST, this::list),
        serve(StoreAddresses.UPSERT, this::upsert),
        serve(StoreAddresses.DELETE, this::delete),
        serve(StoreAddresses.JOBS_ENQUEUE, jobs::enqueue),
        serve(StoreAddresses.JOBS_REFRESH, jobs::refresh),
        serve(StoreAddresses.JOBS_CLAIM, jobs::claim),
        serve(StoreAddresses.JOBS_COMPLETE, jobs::complete),
        serve(StoreAddresses.JOBS_RELEASE, jobs::release),
        serve(StoreAddresses.JOBS_STATUS, jobs::status),
        serve(StoreAddresses.JOBS_LIST, jobs::list),
        serve(StoreAddresses.JOBS_RETRY, jobs::retry),
        serve(StoreAddresses.JOBS_DISCARD, jobs::discard),
        serve(StoreAddresses.WALK_BEGIN, walk::begin),
        serve(StoreAddresses.WALK_PAGE, walk::page),
        serve(StoreAddresses.WALK_RESTART, walk::restart),
        serve(StoreAddresses.WALK_FINISH, walk::finish),
        serve(StoreAddresses.WALK_INTERRUPT, walk::interrupt),
        serve(StoreAddresses.WALK_STATUS, walk::status),
        serve(StoreAddresses.FOLLOW_BEGIN, follow::begin),
        serve(StoreAddresses.FOLLOW_PAGE, follow::page),
        serve(StoreAddresses.FOLLOW_RESYNC, follow::resync),
        serve(StoreAddresses.FOLLOW_RESYNCED, follow::resynced),
        serve(StoreAddresses.FOLLOW_RELEASE, follow::release),
        serve(StoreAddresses.FOLLOW_STATUS, follow::status),
        serve(StoreAddresses.CHANGES_READ, feed::read),
        serve(StoreAddresses.CHANGES_TRIM, feed::trim)))
      .onSuccess(v -> {
        // The feed keeps changes.retainMs: the store that owns it trims it (every node: the DELETE is idempotent).
        trimTimer = vertx.setPeriodic(feedSettings.trimIntervalMs(), id -> trim(feed, feedSettings.retainMs()));
        LOG.info("store: pool of {} connection(s) to {}", pg.maxSize(), pg.describe());
      });
  }

  private static void trim(ChangeFeed feed, long retainMs) {
    feed.trim(new JsonObject().put("retainMs", retainMs))
      .onSuccess(reply -> {
        if (reply.getLong("trimmed") > 0) {
          LOG.info("store: {} change(s) older than changes.retainMs ({} ms) trimmed from the feed", reply.getLong("trimmed"), retainMs);
        }
      })
      .onFailure(failure -> LOG.warn("store: trimming the change feed failed: {}", failure.getMessage()));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(trimTimer);
    return Future.join(wakeups.close(), pool.close(), reads.close());
  }

  private Future<Void> serve(String address, Function<JsonObject, Future<JsonObject>> handler) {
    return vertx.eventBus().consumer(address, message -> answer(message, handler, StoreErrors::classify))
      .completion();
  }

  private Future<JsonObject> ping(JsonObject body) {
    return scopes.withConnection(connection -> connection.query(Sql.PING).execute())
      .map(rows -> new JsonObject().put("ok", true));
  }

  /** One user: the node's cached copy, or PostgreSQL's row (then cached). */
  private Future<Reply> get(JsonObject body) {
    String id = StoreMessages.Get.fromJson(body).id();
    UserCache.Cached cached = cache.get(id);
    if (cached != null) {
      return Future.succeededFuture(new StoreMessages.Stored(cached.user(), cached.fetchedAt(), cached.upstreamEtag()).toReply());
    }
    long stamp = cache.stamp();
    return scopes.read(reads, client -> client.preparedQuery(Sql.GET_USER).execute(Tuple.of(id)))
      .map(rows -> {
        if (rows.size() == 0) {
          throw ErrorCode.NOT_FOUND.error("the store has no user " + id, id);
        }
        StoreMessages.Stored stored = stored(rows.iterator().next());
        cache.offer(id, stored.user(), stored.fetchedAt(), stamp, stored.upstreamEtag());
        return stored.toReply();
      });
  }

  private Future<JsonObject> getMany(JsonObject body) {
    List<String> ids = StoreMessages.GetMany.fromJson(body).ids();
    if (ids.isEmpty()) {
      return Future.succeededFuture(StoreMessages.GetMany.reply(List.of()));
    }
    return scopes.read(reads, client -> client.preparedQuery(Sql.GET_USERS).execute(Tuple.of(ids.toArray(String[]::new))))
      .map(rows -> {
        List<StoreMessages.Stored> users = new ArrayList<>();
        rows.forEach(row -> users.add(stored(row)));
        return StoreMessages.GetMany.reply(users);
      });
  }

  private static StoreMessages.Stored stored(Row row) {
    return new StoreMessages.Stored(row.getJsonObject("profile"), row.getOffsetDateTime("fetched_at").toInstant(),
      row.getString("upstream_etag"));
  }

  private Future<JsonObject> list(JsonObject body) {
    String after = Fields.after(body);
    int limit = body.getValue("limit") == null ? DEFAULT_PAGE : pageSize(body);
    return scopes.read(reads, client -> client.preparedQuery(Sql.LIST_USERS).execute(Tuple.of(after, limit + 1)))
      .map(rows -> {
        JsonArray users = new JsonArray();
        Object next = null;
        String last = null;
        for (Row row : rows) {
          if (users.size() == limit) {
            next = UserId.json(last);
            break;
          }
          last = row.getString("id");
          users.add(row.getJsonObject("profile"));
        }
        return new JsonObject().put("users", users).put("next", next);
      });
  }

  private Future<JsonObject> upsert(JsonObject body) {
    StoreMessages.Upsert upsert = StoreMessages.Upsert.fromJson(body);
    if (upsert.users().isEmpty() && upsert.revalidated().isEmpty()) {
      return Future.succeededFuture(StoreMessages.Upsert.reply(0));
    }
    UserWrites.Changes changes = new UserWrites.Changes();
    // The copies the directory confirmed (304) move their fetch time only; the rest are written whole.
    return scopes.withTransaction(connection -> writes.upsert(connection, upsert.users(), upsert.etags(), upsert.fetchedAt(), null, changes)
        .compose(written -> writes.revalidate(connection, upsert.revalidated(), upsert.fetchedAt()).map(renewed -> written + renewed)))
      .onSuccess(committed -> writes.committed(changes))
      .map(StoreMessages.Upsert::reply);
  }

  private Future<JsonObject> delete(JsonObject body) {
    String id = UserId.fromField(body, "id");
    UserWrites.Changes changes = new UserWrites.Changes();
    return scopes.withTransaction(connection -> writes.delete(connection, new String[] {id}, changes))
      .onSuccess(committed -> writes.committed(changes))
      .map(deleted -> new JsonObject().put("deleted", deleted));
  }

  private static int pageSize(JsonObject body) {
    Object value = body.getValue("limit");
    if (!(value instanceof Integer limit) || limit < 1 || limit > MAX_PAGE) {
      throw ErrorCode.BAD_REQUEST.error("limit must be an integer from 1 to " + MAX_PAGE + ", not " + value);
    }
    return limit;
  }
}
