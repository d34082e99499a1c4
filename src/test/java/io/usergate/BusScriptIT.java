package io.usergate;

import io.usergate.support.ServiceProcess;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code scripts/bus} against the running fat jar, as an operator would use it. */
class BusScriptIT {

  private record Result(int exit, String out, String err) {
  }

  @Test
  @DisplayName("scripts/bus usergate.fetch.one '{\"id\":7}' prints the user; a bad address prints the error and exits non-zero")
  void busFromTheShell() throws Exception {
    Path dataDir = Path.of("target", "it-pg-bus");
    TestDatabase.deleteRecursively(dataDir);
    try (ServiceProcess service = ServiceProcess.start("bus", Map.of("USERGATE_PG_DATA_DIR", dataDir.toString(),
      "USERGATE_DEMO_PORT", "0", "USERGATE_DEMO_LATENCY_MS", "0"), "-conf", "conf/config.json")) {
      service.awaitStatus("/health/ready", 200, Duration.ofSeconds(90));
      String url = "http://127.0.0.1:" + service.port;

      Result user = bus(url, "usergate.fetch.one", "{\"id\":7}");
      assertEquals(0, user.exit(), user.err());
      JsonObject printed = new JsonObject(user.out().trim());
      assertEquals(7L, printed.getLong("id"));
      assertTrue(!printed.getString("name").isBlank());

      Result denied = bus(url, "usergate.store.upsert", "{\"users\":[]}");
      assertNotEquals(0, denied.exit());
      assertTrue(denied.err().contains("access_denied"), denied.err());

      Result bad = bus(url, "usergate.fetch.one", "{\"id\":\"\"}");
      assertNotEquals(0, bad.exit());
      assertTrue(bad.err().contains("BAD_REQUEST"), bad.err());

      service.terminate();
      assertEquals(143, service.awaitExit(Duration.ofSeconds(10)), "SIGTERM, stopped cleanly");
    }
  }

  private static Result bus(String url, String address, String json) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("scripts/bus", address, json).directory(TestConfig.projectDir().toFile());
    builder.environment().put("USERGATE_URL", url);
    Process process = builder.start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("scripts/bus did not finish");
    }
    return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
      new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }
}
