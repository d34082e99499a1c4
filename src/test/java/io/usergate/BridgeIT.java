package io.usergate;

import io.usergate.support.ServiceProcess;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The SockJS event-bus bridge of the fat jar, driven by a real Node client (the npm package
 * {@code @vertx/eventbus-bridge-client.js}, installed by {@code scripts/test} into {@code target/node-bridge}).
 * Without {@code node} on the PATH or the package installed it fails, saying which: a skip would let a suite
 * pass that never ran it.
 */
class BridgeIT {

  private static final String TOKEN = "some-test-token";
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(60);

  @Test
  @DisplayName("a Node bridge client reads a user, is denied an unbridged address, gets one 401 without the token, "
    + "enqueues with it and receives sync progress; then the service stops cleanly on SIGTERM (143)")
  void nodeClientTalksToTheBridge() throws Exception {
    Path project = TestConfig.projectDir().toAbsolutePath();
    Path nodeModules = project.resolve("target/node-bridge/node_modules");
    assertTrue(onPath("node"), "node (Node.js 20) is not on the PATH: install it (scripts/test checks for it)");
    assertTrue(Files.isDirectory(nodeModules.resolve("@vertx/eventbus-bridge-client.js")),
      "the npm package @vertx/eventbus-bridge-client.js is not installed under " + nodeModules
        + ": scripts/test installs it before running Maven");
    Path dataDir = Path.of("target", "it-pg-bridge");
    TestDatabase.deleteRecursively(dataDir);
    Map<String, String> env = Map.of(
      "USERGATE_DEMO_PORT", "0",
      "USERGATE_PG_DATA_DIR", dataDir.toString(),
      "USERGATE_AUTH_TOKEN", TOKEN,
      "USERGATE_SYNC_INTERVAL_MS", "200",
      "USERGATE_DEMO_LATENCY_MS", "0");
    try (ServiceProcess service = ServiceProcess.start("bridge", env, "-conf", "conf/config.json")) {
      service.awaitStatus("/health/ready", 200, Duration.ofSeconds(90));

      JsonObject summary = runClient(project, nodeModules, "http://127.0.0.1:" + service.port, service);

      JsonObject user = summary.getJsonObject("fetchOne");
      assertNotNull(user, "no fetchOne in " + summary);
      assertEquals(7L, user.getLong("id"), summary.encode());
      assertFalse(user.getString("name", "").isBlank(), "the user has no name: " + summary);
      assertTrue(summary.getString("upsertError", "").contains("access_denied"), summary.encode());
      assertEquals(401, summary.getInteger("enqueueWithoutToken"), summary.encode());
      assertEquals(3, summary.getInteger("enqueued"), summary.encode());
      JsonObject progress = summary.getJsonObject("progress");
      assertNotNull(progress, "no progress event in " + summary);
      assertTrue(progress.getInteger("claimed", 0) >= 1, "progress: " + progress);

      service.terminate();
      assertEquals(143, service.awaitExit(Duration.ofSeconds(10)), service.log());
    }
  }

  /** Runs the client with a deadline; returns its one-line JSON summary, or fails with its output and the service log. */
  private static JsonObject runClient(Path project, Path nodeModules, String base, ServiceProcess service)
    throws InterruptedException {
    Path stdout = project.resolve("target/it-bridge-client.out");
    Path stderr = project.resolve("target/it-bridge-client.err");
    ProcessBuilder builder = new ProcessBuilder(List.of("node", "src/test/node/bridge-client.cjs", base, TOKEN))
      .directory(project.toFile())
      .redirectOutput(stdout.toFile())
      .redirectError(stderr.toFile());
    builder.environment().put("NODE_PATH", nodeModules.toString());
    Process client;
    try {
      client = builder.start();
    } catch (IOException e) {
      throw new AssertionError("cannot start node, though it is on the PATH: " + e, e);
    }
    try {
      if (!client.waitFor(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        fail("the node client did not exit within " + CLIENT_TIMEOUT + "\n" + output(stdout, stderr) + service.log());
      }
      String out = read(stdout).strip();
      if (client.exitValue() != 0) {
        fail("the node client exited with " + client.exitValue() + "\n" + output(stdout, stderr) + service.log());
      }
      String[] lines = out.split("\n");
      try {
        return new JsonObject(lines[lines.length - 1]);
      } catch (DecodeException e) {
        throw new AssertionError("the node client printed no JSON summary\n" + output(stdout, stderr), e);
      }
    } finally {
      if (client.isAlive()) {
        client.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  private static String output(Path stdout, Path stderr) {
    return "--- client stdout\n" + read(stdout) + "\n--- client stderr\n" + read(stderr) + "\n--- service log\n";
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
