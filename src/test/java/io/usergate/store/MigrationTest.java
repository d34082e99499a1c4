package io.usergate.store;

import io.usergate.support.TestDatabase;
import io.vertx.core.json.JsonObject;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MigrationTest {

  @Test
  @DisplayName("migrations run once: a second start applies nothing")
  void secondStartAppliesNothing() {
    JsonObject pg = TestDatabase.freshDatabase("migrations_once", false);
    int first = Database.migrate(pg);
    int second = Database.migrate(pg);
    assertTrue(first >= 1, "the first start applies the migrations, applied " + first);
    assertEquals(0, second);
    // The schema is really there.
    TestDatabase.execute(pg, "migrations_once", "SELECT id, name, username, email, profile, fetched_at FROM users");
  }

  @Test
  @DisplayName("two instances migrating the same empty database at the same moment both succeed")
  void concurrentStarts() throws Exception {
    JsonObject pg = TestDatabase.freshDatabase("migrations_concurrent", false);
    List<CompletableFuture<Integer>> starts = List.of(
      CompletableFuture.supplyAsync(() -> Database.migrate(pg)),
      CompletableFuture.supplyAsync(() -> Database.migrate(pg)));
    int applied = 0;
    for (CompletableFuture<Integer> start : starts) {
      applied += start.get(60, TimeUnit.SECONDS);
    }
    int expected = Database.migrate(TestDatabase.freshDatabase("migrations_reference", false));
    assertEquals(expected, applied, "each migration applied exactly once between the two");
    assertEquals(0, Database.migrate(pg));
  }

  @Test
  @DisplayName("the text-ids migration keeps every row of a mirror with integer ids, and orders ids byte by byte")
  void integerIdsBecomeText() {
    JsonObject pg = TestDatabase.freshDatabase("migrations_text_ids", false);
    // The schema as the release before text ids left it, with rows in each table that holds an id.
    Flyway.configure().dataSource(Database.jdbcUrl(pg, pg.getString("database")), pg.getString("user"), pg.getString("password"))
      .locations("classpath:db/migration").target("4").load().migrate();
    TestDatabase.execute(pg, pg.getString("database"),
      "INSERT INTO users (id, name, profile, fetched_at) SELECT n, 'User ' || n, jsonb_build_object('id', n, 'name', 'User ' || n), now() "
        + "FROM generate_series(1, 12) n",
      "INSERT INTO sync_jobs (user_id, state) VALUES (9, 'pending'), (10, 'failed')",
      "INSERT INTO user_changes (user_id, kind) VALUES (10, 'created'), (11, 'removed')");

    assertTrue(Database.migrate(pg) >= 1);
    assertEquals(List.of("1", "10", "11", "12", "2"), rows(pg, "SELECT id FROM users ORDER BY id LIMIT 5"), "byte order");
    assertEquals(List.of("text"), rows(pg, "SELECT DISTINCT data_type FROM information_schema.columns "
      + "WHERE (table_name, column_name) IN (('users', 'id'), ('sync_jobs', 'user_id'), ('user_changes', 'user_id'))"));
    assertEquals(List.of("12"), rows(pg, "SELECT count(*)::text FROM users"));
    assertEquals(List.of("10:failed", "9:pending"), rows(pg, "SELECT user_id || ':' || state FROM sync_jobs ORDER BY user_id"));
    assertEquals(List.of("10:created", "11:removed"), rows(pg, "SELECT user_id || ':' || kind FROM user_changes ORDER BY seq"));
    assertEquals(List.of("User 7"), rows(pg, "SELECT name FROM users WHERE id = '7'"));
  }

  private static List<String> rows(JsonObject pg, String query) {
    List<String> rows = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection(Database.jdbcUrl(pg, pg.getString("database")),
        pg.getString("user"), pg.getString("password"));
         Statement statement = connection.createStatement();
         ResultSet result = statement.executeQuery(query)) {
      while (result.next()) {
        rows.add(result.getString(1));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(query + ": " + e.getMessage(), e);
    }
    return rows;
  }
}
