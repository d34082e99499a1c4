package io.usergate.support;

import io.usergate.store.Database;
import io.vertx.core.json.JsonObject;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Checks straight on the test database over JDBC: what the verticles really wrote. */
public final class Sql {

  private Sql() {
  }

  public static long count(String sql) {
    JsonObject pg = TestDatabase.pg();
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

  /** Polls until {@code sql} counts {@code expected}, or fails with what it counted last. */
  public static void awaitCount(String sql, long expected, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    long last;
    do {
      last = count(sql);
      if (last == expected) {
        return;
      }
      Thread.sleep(50);
    } while (System.currentTimeMillis() < deadline);
    throw new AssertionError("expected " + expected + " from [" + sql + "] within " + timeoutMs + " ms, last " + last);
  }
}
