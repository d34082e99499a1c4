package io.usergate.store;

import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.usergate.support.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scopes on a real pool and a real PostgreSQL: connections always come back. */
@ExtendWith(VertxExtension.class)
class ScopesTest {

  private Pool pool;

  @BeforeEach
  void cleanTable() {
    TestDatabase.execute("TRUNCATE users");
  }

  @AfterEach
  void closePool() throws Exception {
    if (pool != null) {
      pool.close().await(10, TimeUnit.SECONDS);
    }
  }

  private Scopes scopes(Vertx vertx, int maxSize, int maxWaitQueue, int scopeTimeoutMs) {
    JsonObject pg = TestDatabase.pg().put("maxSize", maxSize).put("maxWaitQueueSize", maxWaitQueue)
      .put("connectionTimeoutMs", 5000).put("scopeTimeoutMs", scopeTimeoutMs);
    pool = PoolFactory.create(vertx, PgSettings.of(pg));
    return new Scopes(vertx, pool, scopeTimeoutMs);
  }

  private static long count(Scopes scopes, String where) throws Exception {
    return scopes.withConnection(connection -> connection.query("SELECT count(*) FROM users WHERE " + where).execute())
      .map(rows -> rows.iterator().next().getLong(0)).await(10, TimeUnit.SECONDS);
  }

  private static final String INSERT = "INSERT INTO users (id, name, profile, fetched_at) VALUES ($1, $2, '{}', now())";

  @Test
  @DisplayName("a transaction whose second statement fails leaves no row, and its connection comes back")
  void rollback(Vertx vertx) throws Exception {
    Scopes scopes = scopes(vertx, 4, 100, 5000);
    Future<?> failed = scopes.withTransaction(connection -> connection.preparedQuery(INSERT).execute(Tuple.of("1", "Ann"))
      .compose(first -> connection.preparedQuery(INSERT).execute(Tuple.tuple().addValue("2").addValue(null))));
    Throwable failure = failed.transform(done -> Future.succeededFuture(done.cause())).await(10, TimeUnit.SECONDS);
    assertTrue(failure.getMessage().contains("null value"), String.valueOf(failure));
    assertEquals(0, count(scopes, "true"), "the first insert was rolled back");
    assertEquals(0, scopes.inUse());
  }

  @Test
  @DisplayName("10,000 scopes on 4 connections, a third failing or throwing, leak nothing: 100 parallel scopes then all succeed")
  void noLeaks(Vertx vertx) throws Exception {
    Scopes scopes = scopes(vertx, 4, 20_000, 60_000);
    List<Future<Integer>> all = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      int kind = i % 6;
      all.add(switch (kind) {
        case 0 -> scopes.withTransaction(connection -> Future.failedFuture(new IllegalStateException("fails")));
        case 1 -> scopes.withConnection(connection -> {
          throw new IllegalStateException("throws");
        });
        case 2 -> scopes.withTransaction(connection -> connection.query("SELECT 1/0").execute().map(1));
        default -> scopes.withConnection(connection -> connection.query("SELECT 1").execute().map(1));
      });
    }
    Future.join(all).transform(done -> Future.succeededFuture()).await(120, TimeUnit.SECONDS);
    for (int i = 0; i < all.size(); i++) {
      boolean expectedToFail = i % 6 < 3;
      assertEquals(expectedToFail, all.get(i).failed(), "scope " + i + ": " + all.get(i).cause());
    }
    assertEquals(0, scopes.inUse());

    List<Future<Integer>> parallel = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      parallel.add(scopes.withConnection(connection -> connection.query("SELECT pg_sleep(0.01)").execute().map(1)));
    }
    Future.all(parallel).await(30, TimeUnit.SECONDS);
    assertEquals(0, scopes.inUse());
  }

  @Test
  @DisplayName("a scope that never completes is cut at the scope deadline, rolled back, and its connection is not reused mid-transaction")
  void scopeDeadline(Vertx vertx) throws Exception {
    Scopes scopes = scopes(vertx, 1, 100, 500);

    long start = System.nanoTime();
    Future<Object> never = scopes.withTransaction(connection -> connection.preparedQuery(INSERT).execute(Tuple.of("7", "Never"))
      .compose(inserted -> Promise.promise().future()));
    Throwable cut = never.transform(done -> Future.succeededFuture(done.cause())).await(10, TimeUnit.SECONDS);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertInstanceOf(UsergateException.class, cut);
    assertEquals(ErrorCode.STORE_UNAVAILABLE, ((UsergateException) cut).code());
    assertTrue(tookMs >= 450 && tookMs < 2000, "cut at the deadline, took " + tookMs + " ms");

    // A statement that runs past the deadline is cancelled on the server, so the rollback goes through.
    Future<Object> sleeping = scopes.withTransaction(connection -> connection.preparedQuery(INSERT).execute(Tuple.of("8", "Sleeper"))
      .compose(inserted -> connection.query("SELECT pg_sleep(60)").execute()).map(rows -> null));
    Throwable cutToo = sleeping.transform(done -> Future.succeededFuture(done.cause())).await(10, TimeUnit.SECONDS);
    assertEquals(ErrorCode.STORE_UNAVAILABLE, ((UsergateException) cutToo).code());

    // Pool of one: the next scope gets the same connection. Were it still inside the cut transaction,
    // it would see the uncommitted rows 7 and 8.
    Row state = scopes.withConnection(connection -> connection.query(
        "SELECT count(*) AS users, txid_current_if_assigned() IS NULL AS fresh FROM users").execute())
      .map(rows -> rows.iterator().next()).await(10, TimeUnit.SECONDS);
    assertEquals(0L, state.getLong("users"));
    assertTrue(state.getBoolean("fresh"));
    assertEquals(0, scopes.inUse());
  }

  @Test
  @DisplayName("pool of 2 with a wait queue of 2: of 10 concurrent slow scopes, 4 are served and 6 fail OVERLOADED at once")
  void exhaustion(Vertx vertx) throws Exception {
    Scopes scopes = scopes(vertx, 2, 2, 10_000);
    // Steady state: both connections open (while they are being opened, their requests wait in the queue).
    Future.all(scopes.withConnection(connection -> connection.query("SELECT 1").execute()),
      scopes.withConnection(connection -> connection.query("SELECT 1").execute())).await(10, TimeUnit.SECONDS);
    List<Future<Integer>> all = new ArrayList<>();
    List<Long> failedAfterMs = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < 10; i++) {
      all.add(scopes.withConnection(connection -> connection.query("SELECT pg_sleep(0.5)").execute().map(1))
        .onFailure(failure -> failedAfterMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))));
    }
    Future.join(all).transform(done -> Future.succeededFuture()).await(30, TimeUnit.SECONDS);
    assertEquals(4, all.stream().filter(Future::succeeded).count());
    List<Future<Integer>> failed = all.stream().filter(Future::failed).toList();
    assertEquals(6, failed.size());
    for (Future<Integer> overloaded : failed) {
      UsergateException error = StoreErrors.classify(overloaded.cause());
      assertEquals(ErrorCode.OVERLOADED, error.code(), error.getMessage());
    }
    assertTrue(failedAfterMs.stream().allMatch(ms -> ms < 400), "failed at once, not after a wait: " + failedAfterMs);
    assertEquals(0, scopes.inUse());
  }
}
