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
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two usergate JVMs in one cluster on one PostgreSQL; one is killed with SIGKILL mid-batch. */
class ClusterCrashIT {

  private static final int JOBS = 400;
  private static final String DATABASE = "usergate_cluster";

  @Test
  @DisplayName("SIGKILL one of two clustered JVMs mid-batch: the survivor finishes every job after the lease and keeps serving")
  void survivorFinishesEverything() throws Exception {
    JsonObject pg = TestDatabase.freshDatabase(DATABASE, true);
    Map<String, String> env = new HashMap<>(Map.of(
      "USERGATE_PG_HOST", pg.getString("host"),
      "USERGATE_PG_PORT", String.valueOf(pg.getInteger("port")),
      "USERGATE_PG_DATABASE", DATABASE,
      "USERGATE_PG_USER", pg.getString("user"),
      "USERGATE_DEMO_PORT", "0",
      "USERGATE_DEMO_LATENCY_MS", "1000",
      "USERGATE_SYNC_INTERVAL_MS", "100",
      "USERGATE_SYNC_BATCH_SIZE", "100",
      "USERGATE_SYNC_LEASE_MS", "4000",
      "USERGATE_HTTP_REQUEST_TIMEOUT_MS", "5000"));
    env.put("USERGATE_CLUSTER_NAME", "usergate-it-" + UUID.randomUUID().toString().substring(0, 8));
    env.put("USERGATE_CLUSTER_PORT", "5851");

    try (ServiceProcess doomed = ServiceProcess.start("cluster-doomed", env, "-conf", "conf/config.json", "-cluster");
         ServiceProcess survivor = ServiceProcess.start("cluster-survivor", env, "-conf", "conf/config.json", "-cluster")) {
      doomed.awaitStatus("/health/ready", 200, Duration.ofSeconds(90));
      survivor.awaitStatus("/health/ready", 200, Duration.ofSeconds(90));
      assertTrue(survivor.log().contains("Members {size:2") || doomed.log().contains("Members {size:2"),
        "the two formed one cluster:\n" + survivor.log());

      TestDatabase.execute(pg, DATABASE,
        "INSERT INTO sync_jobs (user_id, state) SELECT id::text, 'pending' FROM generate_series(1, " + JOBS + ") AS id");
      String doomedOwner = doomed.pid() + "@";
      // A batch lasts about the demo latency (1 s): polled every 20 ms so as not to miss it.
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() ->
        count(pg, "SELECT count(*) FROM sync_jobs WHERE state = 'running' AND lease_owner LIKE '" + doomedOwner + "%'") > 0);
      assertTrue(count(pg, "SELECT count(*) FROM sync_jobs WHERE lease_owner LIKE '" + doomedOwner + "%'") > 0,
        "the doomed node holds a batch");
      doomed.kill();
      doomed.awaitExit(Duration.ofSeconds(10));

      // Requests to the survivor keep working (those routed to the dead node fail within their timeout):
      // each poll sends up to ten, and passes when all ten in a row are served.
      await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
        for (int request = 1; request <= 10; request++) {
          assertEquals(200, survivor.status("/users/7"), "request " + request + " of ten in a row served by the survivor");
        }
      });

      // The dead node's jobs come back when their lease (4 s) expires, and the survivor finishes them.
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
        assertEquals(JOBS, count(pg, "SELECT count(*) FROM sync_jobs WHERE state = 'done'"), survivor::log));
      assertEquals(JOBS, count(pg, "SELECT count(*) FROM users"));
      survivor.terminate();
      assertEquals(143, survivor.awaitExit(Duration.ofSeconds(20)), "SIGTERM, stopped cleanly");
    }
  }

  private static long count(JsonObject pg, String sql) throws Exception {
    try (var connection = DriverManager.getConnection(Database.jdbcUrl(pg, DATABASE),
      pg.getString("user"), pg.getString("password"));
         ResultSet result = connection.createStatement().executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }
}
