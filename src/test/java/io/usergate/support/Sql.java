package io.usergate.support;

import io.usergate.store.Database;
import io.vertx.core.json.JsonObject;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Checks straight on the test database over JDBC: what the verticles really wrote. */
public final class Sql {

  private Sql() {
  }

  public static long count(String sql) {
    return count(TestDatabase.pg(), sql);
  }

  /** As {@link #count(String)}, on the database of {@code pg}. */
  public static long count(JsonObject pg, String sql) {
    try (Connection connection = DriverManager.getConnection(Database.jdbcUrl(pg, pg.getString("database")),
      pg.getString("user"), pg.getString("password"));
         ResultSet result = connection.createStatement().executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String text(String sql) {
    JsonObject pg = TestDatabase.pg();
    try (Connection connection = DriverManager.getConnection(Database.jdbcUrl(pg, pg.getString("database")),
      pg.getString("user"), pg.getString("password"));
         ResultSet result = connection.createStatement().executeQuery(sql)) {
      return result.next() ? result.getString(1) : null;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Statement that puts the walk's one row back as it is on a new database: idle, no position, no lease. */
  public static final String RESET_WALK = "UPDATE sync_walk SET state = 'idle', generation = 0, next_offset = 0, next_cursor = NULL, pages = 0, "
    + "users = 0, invalid = 0, total = NULL, first_total = NULL, removed = NULL, lease_owner = NULL, lease_expires_at = NULL, "
    + "message = NULL";

  /** Statement that puts the follower's one row back as it is on a new database: idle, nothing followed, no lease. */
  public static final String RESET_FOLLOW = "UPDATE sync_follow SET kind = NULL, state = 'idle', next_cursor = NULL, next_offset = 0, "
    + "delta_link = NULL, link_at = NULL, watermark = NULL, round_since = NULL, round_started_at = NULL, rounds = 0, pages = 0, "
    + "upserted = 0, removed = 0, last_round_at = NULL, resyncs = 0, resync_at = NULL, resync_reason = NULL, lease_owner = NULL, "
    + "lease_expires_at = NULL, message = NULL";

  /**
   * Waits until {@code sql} counts {@code expected}, or fails with what it counted last. Each poll opens
   * a JDBC connection: every 100 ms is often enough.
   */
  public static void awaitCount(String sql, long expected, long timeoutMs) {
    await().atMost(Duration.ofMillis(timeoutMs)).pollInterval(Duration.ofMillis(100))
      .untilAsserted(() -> assertEquals(expected, count(sql), sql));
  }
}
