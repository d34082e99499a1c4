package io.usergate.support;

import io.usergate.store.Database;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The PostgreSQL of a test run: the server named by {@code USERGATE_PG_HOST} when set, otherwise one
 * embedded, real server started once per JVM (not once per test) with its data under target/.
 */
public final class TestDatabase {

  private static JsonObject shared;

  private TestDatabase() {
  }

  /** The {@code pg} section of the shared server's database {@code usergate}, migrated. */
  public static synchronized JsonObject pg() {
    if (shared == null) {
      try {
        JsonObject pg = TestConfig.fileDefaults().getJsonObject("pg");
        String host = System.getenv("USERGATE_PG_HOST");
        if (host != null && !host.isBlank()) {
          shared = TestConfig.withEnvironment().getJsonObject("pg");
        } else {
          Path dataDir = Path.of("target", "test-pg");
          deleteRecursively(dataDir);
          pg.put("dataDir", dataDir.toString());
          Database server = Database.startEmbedded(pg, false);
          Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
              server.closeBlocking();
            } catch (IOException ignored) {
              // The JVM is going away; the next run deletes the folder anyway.
            }
          }));
          shared = server.pgConfig();
        }
        Database.migrate(shared);
      } catch (IOException | SQLException e) {
        throw new IllegalStateException("cannot start the test PostgreSQL", e);
      }
    }
    return shared.copy();
  }

  /** A new, empty database on the shared server, migrated or not; returns its {@code pg} section. */
  public static JsonObject freshDatabase(String name, boolean migrated) {
    JsonObject pg = pg();
    execute(pg, "postgres", "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    execute(pg, "postgres", "CREATE DATABASE " + name);
    JsonObject fresh = pg.put("database", name);
    if (migrated) {
      Database.migrate(fresh);
    }
    return fresh;
  }

  /** Runs statements on the suite's database ({@link #pg()}), e.g. the TRUNCATEs a test starts from. */
  public static void execute(String... statements) {
    JsonObject pg = pg();
    execute(pg, pg.getString("database"), statements);
  }

  /** Runs statements over JDBC: test set-up and checks only, off the event loop. */
  public static void execute(JsonObject pg, String database, String... statements) {
    try (Connection connection = DriverManager.getConnection(Database.jdbcUrl(pg, database),
      pg.getString("user"), pg.getString("password"));
         Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  public static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
