package io.usergate;

import io.usergate.config.ConfigKey;
import io.usergate.config.ConfigKeys;
import io.usergate.support.ServiceProcess;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fat jar as an operator meets it: alone in a folder, its options, its layers, its start errors. */
class LauncherIT {

  private static final Duration START = Duration.ofSeconds(90);
  private static final Duration QUICK = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  /** The lines of a log that hold {@code text}: each failure must be said in one line. */
  private static long linesWith(String log, String text) {
    return log.lines().filter(line -> line.contains(text)).count();
  }

  @Test
  @DisplayName("java -jar usergate-fat.jar alone in an empty folder starts on its defaults and serves the demo users; SIGINT stops it cleanly (130)")
  void startsAloneOnDefaults() throws Exception {
    try (ServiceProcess service = ServiceProcess.startIn(dir, "alone", List.of("-Dusergate.demo.port=0"), Map.of())) {
      service.awaitStatus("/health/ready", 200, START);
      assertEquals(200, service.status("/users/7"));
      assertTrue(Files.isDirectory(dir.resolve("data/pg")), "the embedded data under data/pg of the working folder");
      service.interrupt();
      assertEquals(130, service.awaitExit(QUICK), service.log());
      String log = service.log();
      assertTrue(log.contains("configuration from built-in default < USERGATE_HTTP_PORT < -Dusergate.demo.port"), log);
      assertTrue(log.contains("PostgreSQL: embedded server stopped"), log);
    }
  }

  @Test
  @DisplayName("--print-config: a -conf file with one key, an environment variable and a -D each change their key only, named as its layer; a mistyped variable is listed as ignored")
  void layersOnTheCommandLine() throws Exception {
    Files.writeString(dir.resolve("one.json"), "{\"sync\": {\"batchSize\": 77}}");
    try (ServiceProcess print = ServiceProcess.startIn(dir, "print-config", List.of("-Dusergate.pg.maxSize=5"),
      Map.of("USERGATE_DEMO_USERS", "123", "USERGATE_UPSTREAM_MAX_RATE_PER_SECND", "5"), "-conf", "one.json", "--print-config")) {
      assertEquals(0, print.awaitExit(QUICK), print.log());
      String table = print.log();
      assertTrue(table.lines().anyMatch(line -> line.matches("sync\\.batchSize +77 +-conf one\\.json")), table);
      assertTrue(table.lines().anyMatch(line -> line.matches("demo\\.users +123 +USERGATE_DEMO_USERS")), table);
      assertTrue(table.lines().anyMatch(line -> line.matches("pg\\.maxSize +5 +-Dusergate\\.pg\\.maxSize")), table);
      assertTrue(table.lines().anyMatch(line -> line.matches("sync\\.intervalMs +1000 +built-in default")), table);
      assertTrue(table.lines().anyMatch(line -> line.matches("upstream\\.maxRatePerSecond +0 +built-in default")), table);
      assertTrue(table.contains("\n  USERGATE_UPSTREAM_MAX_RATE_PER_SECND   did you mean USERGATE_UPSTREAM_MAX_RATE_PER_SECOND?\n"), table);
    }
  }

  @Test
  @DisplayName("log.format json: every line the jar writes is one ECS object, a request's with its http.request.id; a mistyped USERGATE_ variable is one warning naming the nearest key, never its value; service links pass silently")
  void jsonLogsAndIgnoredVariables() throws Exception {
    Map<String, String> environment = Map.of("USERGATE_LOG_FORMAT", "json", "USERGATE_HTTP_ACCESS_LOG", "true",
      "USERGATE_DEMO_PORT", "0", "USERGATE_UPSTREAM_MAX_RATE_PER_SECND", "5", "USERGATE_AUTH_TOKN", "s3cret-typo-value",
      "USERGATE_SERVICE_HOST", "10.0.0.11", "USERGATE_PORT_8080_TCP", "tcp://10.0.0.11:8080");
    try (ServiceProcess service = ServiceProcess.startIn(dir, "json-logs", List.of(), environment)) {
      service.awaitStatus("/health/ready", 200, START);
      HttpResponse<Void> answer = HttpClient.newHttpClient().send(HttpRequest
          .newBuilder(URI.create("http://127.0.0.1:" + service.port + "/users/7")).header("X-Request-Id", "it-json-7").build(),
        HttpResponse.BodyHandlers.discarding());
      assertEquals(200, answer.statusCode());
      Awaitility.await().atMost(QUICK).until(() -> service.log().matches("(?s).*GET /users/7 HTTP/[0-9.]+ 200 .*"));
      service.interrupt();
      assertEquals(130, service.awaitExit(QUICK), service.log());
      List<JsonObject> lines = service.log().lines().map(line -> {
        try {
          return new JsonObject(line);
        } catch (RuntimeException e) {
          throw new AssertionError("not one JSON object: " + line + "\n" + service.log(), e);
        }
      }).toList();
      assertTrue(lines.stream().anyMatch(line -> line.getString("message").startsWith("usergate ")
        && line.getString("message").contains(": configuration from built-in default < USERGATE_HTTP_PORT")), "the start line");
      assertTrue(lines.stream().allMatch(line -> line.containsKey("@timestamp") && line.containsKey("log.level")
        && line.containsKey("log.logger") && "usergate".equals(line.getString("service.name"))), service.log());
      assertTrue(lines.stream().anyMatch(line -> line.getString("message").matches(".*GET /users/7 HTTP/[0-9.]+ 200 .*")
        && "it-json-7".equals(line.getString("http.request.id"))), "the access-log line with its request id:\n" + service.log());
      List<String> warnings = lines.stream().filter(line -> line.getString("message").contains("names no configuration key"))
        .map(line -> line.getString("log.level") + " " + line.getString("message")).toList();
      assertEquals(List.of(
        "WARN USERGATE_AUTH_TOKN names no configuration key and is ignored; did you mean USERGATE_AUTH_TOKEN?",
        "WARN USERGATE_UPSTREAM_MAX_RATE_PER_SECND names no configuration key and is ignored; "
          + "did you mean USERGATE_UPSTREAM_MAX_RATE_PER_SECOND?"), warnings);
      assertFalse(service.log().contains("s3cret-typo-value"), service.log());
      assertFalse(service.log().contains("USERGATE_SERVICE_HOST") || service.log().contains("USERGATE_PORT_8080_TCP"), service.log());
    }
  }

  @Test
  @DisplayName("--help lists every key with its default and environment name; --version prints the pom's version")
  void helpAndVersion() throws Exception {
    try (ServiceProcess help = ServiceProcess.startIn(dir, "help", List.of(), Map.of(), "--help")) {
      assertEquals(0, help.awaitExit(QUICK));
      String text = help.log();
      for (ConfigKey key : ConfigKeys.ALL) {
        assertTrue(text.contains(key.dotted()) && text.contains(key.environmentName()), key.dotted());
      }
      assertFalse(text.contains("-instances"), "not the generic launcher's usage");
    }
    try (ServiceProcess version = ServiceProcess.startIn(dir, "version", List.of(), Map.of(), "--version")) {
      assertEquals(0, version.awaitExit(QUICK));
      assertTrue(version.log().matches("(?s)usergate \\d+\\.\\d+\\.\\d+.*"), version.log());
    }
  }

  @Test
  @DisplayName("the jar holds no test-only library (vertx-web-client) and a logback without the CVEs fixed in 1.5.34")
  void dependencies() throws Exception {
    try (ZipFile jar = new ZipFile(System.getProperty("usergate.jar", "target/usergate-fat.jar"))) {
      assertTrue(jar.stream().noneMatch(entry -> entry.getName().startsWith("io/vertx/ext/web/client/")), "vertx-web-client in the jar");
      Properties logback = new Properties();
      logback.load(jar.getInputStream(jar.getEntry("META-INF/maven/ch.qos.logback/logback-classic/pom.properties")));
      int[] version = Arrays.stream(logback.getProperty("version").split("\\.")).mapToInt(Integer::parseInt).toArray();
      assertTrue(version[0] > 1 || version[1] > 5 || version[1] == 5 && version[2] >= 34, "logback " + logback.getProperty("version"));
    }
  }

  @Test
  @DisplayName("-instances 2 and -worker are refused with a one-line reason (exit 2)")
  void refusedOptions() throws Exception {
    for (List<String> args : List.of(List.of("-instances", "2"), List.of("-worker"))) {
      try (ServiceProcess refused = ServiceProcess.startIn(dir, "refused", List.of(), Map.of(), args.toArray(String[]::new))) {
        assertEquals(2, refused.awaitExit(QUICK));
        assertEquals(1, refused.log().lines().count(), refused.log());
        assertTrue(refused.log().contains("is refused"), refused.log());
      }
    }
  }

  @Test
  @DisplayName("an invalid value or an unreadable -conf stops the start in one line naming the key (or the file) and the layer (exit 2)")
  void invalidConfiguration() throws Exception {
    try (ServiceProcess bad = ServiceProcess.startIn(dir, "bad-port", List.of(), Map.of("USERGATE_HTTP_PORT", "eighty"))) {
      assertEquals(2, bad.awaitExit(QUICK));
      assertEquals(1, linesWith(bad.log(), "http.port \"eighty\" is not an integer from 0 to 65535 (from USERGATE_HTTP_PORT)"), bad.log());
    }
    try (ServiceProcess missing = ServiceProcess.startIn(dir, "missing-conf", List.of(), Map.of(), "-conf", "missing.json")) {
      assertEquals(2, missing.awaitExit(QUICK));
      assertEquals(1, linesWith(missing.log(), "-conf missing.json: cannot read"), missing.log());
    }
  }

  @Test
  @DisplayName("a busy port stops the start in one line naming its key: http.port, demo.port, bridge.tcpPort")
  void busyPorts() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String port = String.valueOf(taken.getLocalPort());
      Map<String, Map<String, String>> cases = Map.of(
        "http.port", Map.of("USERGATE_HTTP_PORT", port, "USERGATE_DEMO_PORT", "0"),
        "demo.port", Map.of("USERGATE_DEMO_PORT", port),
        "bridge.tcpPort", Map.of("USERGATE_BRIDGE_TCP_PORT", port, "USERGATE_DEMO_PORT", "0"));
      for (Map.Entry<String, Map<String, String>> busy : cases.entrySet()) {
        try (ServiceProcess service = ServiceProcess.startIn(dir, "busy-" + busy.getKey(), List.of(), busy.getValue())) {
          assertEquals(15, service.awaitExit(START), service.log());
          String expected = "cannot listen on 127.0.0.1:" + port + " (" + busy.getKey() + "): Address already in use";
          assertTrue(linesWith(service.log(), expected) >= 1, busy.getKey() + ":\n" + service.log());
          assertFalse(service.log().contains("\tat "), "no stack trace:\n" + service.log());
        }
      }
    }
  }

  @Test
  @DisplayName("a data folder in use by a live usergate is refused, naming that process, which keeps serving")
  void dataFolderInUse() throws Exception {
    try (ServiceProcess first = ServiceProcess.startIn(dir, "first", List.of(), Map.of("USERGATE_DEMO_PORT", "0"))) {
      first.awaitStatus("/health/ready", 200, START);
      try (ServiceProcess second = ServiceProcess.startIn(dir, "second", List.of(), Map.of("USERGATE_DEMO_PORT", "0"))) {
        assertEquals(15, second.awaitExit(START), second.log());
        assertEquals(1, linesWith(second.log(), "(pg.dataDir) is in use by the process " + first.pid()), second.log());
      }
      assertEquals(200, first.status("/health/ready"), "the first instance keeps serving");
      assertEquals(200, first.status("/users/3"));
      first.terminate();
      assertEquals(143, first.awaitExit(QUICK), first.log());
    }
  }
}
