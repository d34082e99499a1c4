package io.usergate.store;

import io.usergate.support.TestDatabase;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

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
}
