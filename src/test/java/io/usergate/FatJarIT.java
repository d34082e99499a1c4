package io.usergate;

import io.usergate.support.ServiceProcess;
import io.usergate.support.TestDatabase;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fat jar, started with {@code java -jar} exactly as {@code scripts/run} does, on its own embedded PostgreSQL. */
class FatJarIT {

  @Test
  @DisplayName("java -jar starts on an embedded PostgreSQL, is ready, and on SIGTERM stops cleanly (exit 143) within 10 s, stopping in reverse order")
  void startsServesAndStopsInOrder() throws Exception {
    Path dataDir = Path.of("target", "it-pg-fatjar");
    TestDatabase.deleteRecursively(dataDir);
    try (ServiceProcess service = ServiceProcess.start("fatjar",
      Map.of("USERGATE_PG_DATA_DIR", dataDir.toString(), "USERGATE_DEMO_PORT", "0"), "-conf", "conf/config.json")) {
      long readyMs = service.awaitStatus("/health/ready", 200, Duration.ofSeconds(90));
      assertEquals(200, service.status("/health/live"));
      // The contract and Swagger UI from the shaded jar (the webjar's files and the pom.properties naming its version).
      assertEquals(200, service.status("/openapi.yaml"));
      assertEquals(200, service.status("/docs"));
      assertEquals(200, service.status("/docs/swagger-ui-bundle.js"));
      System.out.printf("fat jar: ready %d ms after start%n", readyMs);

      service.terminate();
      assertEquals(143, service.awaitExit(Duration.ofSeconds(10)), service.log());
      String log = service.log();
      int web = log.indexOf("main: stopping web");
      int sync = log.indexOf("main: stopping sync");
      int fetch = log.indexOf("main: stopping fetch");
      int store = log.indexOf("main: stopping store");
      int demo = log.indexOf("main: stopping demo directory");
      int database = log.indexOf("PostgreSQL: embedded server stopped");
      assertTrue(web >= 0 && sync > web && fetch > sync && store > fetch && demo > store && database > demo,
        "reverse stop order in the log:\n" + log);
    }
  }

  @Test
  @DisplayName("the mirror survives a restart: the embedded data folder is reused, no migration applied twice")
  void dataSurvivesRestart() throws Exception {
    Path dataDir = Path.of("target", "it-pg-restart");
    TestDatabase.deleteRecursively(dataDir);
    Map<String, String> env = Map.of("USERGATE_PG_DATA_DIR", dataDir.toString(), "USERGATE_DEMO_PORT", "0");
    for (int run = 0; run < 2; run++) {
      try (ServiceProcess service = ServiceProcess.start("restart-" + run, env, "-conf", "conf/config.json")) {
        service.awaitStatus("/health/ready", 200, Duration.ofSeconds(90));
        service.terminate();
        assertEquals(143, service.awaitExit(Duration.ofSeconds(10)));
        String expected = run == 0 ? "created database usergate" : "0 migration(s) applied";
        assertTrue(service.log().contains(expected), "run " + run + ":\n" + service.log());
      }
    }
  }

  @Test
  @DisplayName("after a SIGKILL, the next start stops the orphaned embedded PostgreSQL and serves the same data")
  void restartAfterKill() throws Exception {
    Path dataDir = Path.of("target", "it-pg-killed");
    TestDatabase.deleteRecursively(dataDir);
    Map<String, String> env = Map.of("USERGATE_PG_DATA_DIR", dataDir.toString(), "USERGATE_DEMO_PORT", "0",
      "USERGATE_DEMO_LATENCY_MS", "0");
    try (ServiceProcess killed = ServiceProcess.start("killed", env, "-conf", "conf/config.json")) {
      killed.awaitStatus("/health/ready", 200, Duration.ofSeconds(90));
      assertEquals(200, killed.status("/users/7"));
      // The write-through lands: the store serves the user.
      await().atMost(Duration.ofSeconds(10)).until(() -> killed.status("/store/users/7"), status -> status == 200);
      killed.kill();
      killed.awaitExit(Duration.ofSeconds(10));
    }
    try (ServiceProcess again = ServiceProcess.start("after-kill", env, "-conf", "conf/config.json")) {
      again.awaitStatus("/health/ready", 200, Duration.ofSeconds(90));
      assertTrue(again.log().contains("stopping an orphaned embedded server"), again.log());
      assertEquals(200, again.status("/store/users/7"), "the user written before the kill is still there");
      again.terminate();
      assertEquals(143, again.awaitExit(Duration.ofSeconds(10)));
    }
  }

  @Test
  @DisplayName("an invalid value stops the start with a non-zero exit and a message naming the key")
  void invalidConfigurationStopsTheStart() throws Exception {
    try (ServiceProcess service = ServiceProcess.start("badconfig",
      Map.of("USERGATE_PG_MAX_SIZE", "-3"), "-conf", "conf/config.json")) {
      int exit = service.awaitExit(Duration.ofSeconds(60));
      assertNotEquals(0, exit);
      assertTrue(service.log().contains("pg.maxSize"), service.log());
    }
  }

  @Test
  @DisplayName("a -conf file that does not exist stops the start instead of running on defaults")
  void missingConfFileStopsTheStart() throws Exception {
    try (ServiceProcess service = ServiceProcess.start("noconf", Map.of(), "-conf", "conf/missing.json")) {
      int exit = service.awaitExit(Duration.ofSeconds(60));
      assertNotEquals(0, exit);
      assertTrue(service.log().contains("-conf"), service.log());
    }
  }
}
