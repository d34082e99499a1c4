package io.usergate;

import io.usergate.store.Database;
import io.usergate.support.ServiceProcess;
import io.usergate.support.TestDatabase;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A crash loses nothing: the fat jar is killed with SIGKILL mid-batch, and a fresh instance finishes every job. */
class SyncCrashIT {

  private static final int JOBS = 300;

  @Test
  @DisplayName("SIGKILL mid-batch: after the lease expires a fresh instance finishes every job, none lost")
  void crashLosesNothing() throws Exception {
    JsonObject pg = TestDatabase.freshDatabase("usergate_crash", true);
    TestDatabase.execute(pg, "usergate_crash",
      "INSERT INTO sync_jobs (user_id, state) SELECT id::text, 'pending' FROM generate_series(1, " + JOBS + ") AS id");
    Map<String, String> env = new HashMap<>(Map.of(
      "USERGATE_PG_HOST", pg.getString("host"),
      "USERGATE_PG_PORT", String.valueOf(pg.getInteger("port")),
      "USERGATE_PG_DATABASE", "usergate_crash",
      "USERGATE_PG_USER", pg.getString("user"),
      "USERGATE_DEMO_PORT", "0",
      "USERGATE_DEMO_LATENCY_MS", "3000",
      "USERGATE_SYNC_INTERVAL_MS", "100",
      "USERGATE_SYNC_BATCH_SIZE", "100",
      "USERGATE_SYNC_LEASE_MS", "4000",
      "USERGATE_UPSTREAM_TIMEOUT_MS", "10000"));

    try (ServiceProcess doomed = ServiceProcess.start("crash-doomed", env, "-conf", "conf/config.json")) {
      doomed.awaitStatus("/health/ready", 200, Duration.ofSeconds(60));
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
        assertTrue(count(pg, "SELECT count(*) FROM sync_jobs WHERE state = 'running'") > 0, "a batch is in flight"));
      doomed.kill();
      doomed.awaitExit(Duration.ofSeconds(10));
    }
    long orphaned = count(pg, "SELECT count(*) FROM sync_jobs WHERE state = 'running'");
    assertTrue(orphaned > 0, "the killed instance left leased jobs behind");

    env.put("USERGATE_DEMO_LATENCY_MS", "0");
    try (ServiceProcess fresh = ServiceProcess.start("crash-fresh", env, "-conf", "conf/config.json")) {
      fresh.awaitStatus("/health/ready", 200, Duration.ofSeconds(60));
      // The killed instance's jobs are claimable again once their lease (4 s) expires.
      await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
        assertEquals(JOBS, count(pg, "SELECT count(*) FROM sync_jobs WHERE state = 'done'"), fresh::log));
      assertEquals(JOBS, count(pg, "SELECT count(*) FROM users"));
      assertEquals(0, count(pg, "SELECT count(*) FROM sync_jobs WHERE attempts > 0"), "a crash charges no attempt");
      fresh.terminate();
      assertEquals(143, fresh.awaitExit(Duration.ofSeconds(10)), "SIGTERM, stopped cleanly");
    }
  }

  private static long count(JsonObject pg, String sql) throws Exception {
    try (var connection = DriverManager.getConnection(Database.jdbcUrl(pg, "usergate_crash"),
      pg.getString("user"), pg.getString("password"));
         ResultSet result = connection.createStatement().executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }
}
