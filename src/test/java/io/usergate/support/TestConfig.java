package io.usergate.support;

import io.usergate.config.Configuration;
import io.usergate.demo.DemoDirectoryVerticle;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The configuration tests start from: the built-in defaults, pointed at the test database. */
public final class TestConfig {

  private TestConfig() {
  }

  public static Path projectDir() {
    return Path.of(System.getProperty("usergate.basedir", "."));
  }

  /** The built-in defaults, resolved. */
  public static JsonObject fileDefaults() {
    return Configuration.defaults();
  }

  /** The defaults with this process's environment applied, as the service would see it. */
  static JsonObject withEnvironment() {
    return Configuration.load(new Configuration.Sources(null, null, System.getenv(), Map.of())).config();
  }

  /** {@code config} with the node's user cache on, its copies fresh for {@code freshForMs}. */
  public static JsonObject withCache(JsonObject config, long freshForMs) {
    config.getJsonObject("cache").put("memoryBytes", 16L * 1024 * 1024).put("freshForMs", freshForMs);
    return config;
  }

  /**
   * {@link #against} with the node's cache on (fresh for a minute, then served stale for ten while it is refreshed),
   * the sync's queue polled every 200 ms and no drain delay: the stack of the cache's tests.
   */
  public static JsonObject cachingAgainst(FakeDirectory upstream) {
    JsonObject config = withCache(against(upstream), 60_000L);
    config.getJsonObject("cache").put("staleWhileRevalidateMs", 600_000L);
    config.getJsonObject("sync").put("intervalMs", 200);
    config.getJsonObject("http").put("drainDelayMs", 0);
    return config;
  }

  /** Turns on the TCP event-bus bridge of {@code config} on a free port of loopback; returns the port. */
  public static int tcpBridgeOnFreePort(JsonObject config) {
    int port = ServiceProcess.freePort();
    config.getJsonObject("bridge").put("tcpPort", port);
    return port;
  }

  /** {@link #forTests()} with {@code upstream} as the directory, asked once per id (no retries). */
  public static JsonObject against(FakeDirectory upstream) {
    JsonObject config = forTests();
    config.getJsonObject("upstream").put("baseUrl", upstream.baseUrl()).put("retries", 0);
    return config;
  }

  /** The checked default configuration, on the test database, HTTP on a free port, the cache off. */
  public static JsonObject forTests() {
    JsonObject config = Configuration.defaults();
    // The tests of the live path count upstream calls, those of the store its reads of PostgreSQL: the node's
    // cache is off unless a test (CacheTest, StoreHotRowsTest, ...) turns it on (withCache).
    config.getJsonObject("cache").put("freshForMs", 0L).put("notFoundForMs", 0L).put("memoryBytes", 0L);
    config.put("pg", TestDatabase.pg());
    config.getJsonObject("http").put("port", 0);
    return config;
  }

  /**
   * The configuration an operator gets from {@code environment} ({@code USERGATE_*} variables: a preset, its
   * base URL and credentials), resolved by the service's own layers, on the suite's database and ports.
   */
  public static JsonObject fromEnvironment(Map<String, String> environment) {
    JsonObject config = Configuration.load(new Configuration.Sources(null, null, environment, Map.of())).config();
    JsonObject tests = forTests();
    for (String section : List.of("pg", "http", "cache")) {
      config.put(section, tests.getJsonObject(section));
    }
    return config;
  }

  /**
   * The environment an operator sets for {@code preset} in front of {@code demo}: the base URL and the directory's
   * credentials, nothing else (a mutable map, for the test's own variables).
   */
  public static Map<String, String> presetEnvironment(String preset, DemoDirectoryVerticle demo) {
    Map<String, String> environment = new HashMap<>(Map.of("USERGATE_UPSTREAM_PRESET", preset,
      "USERGATE_UPSTREAM_BASE_URL", demo.baseUrl()));
    JsonObject credentials = demo.credentials();
    if (credentials.containsKey("headers")) {
      environment.put("USERGATE_UPSTREAM_HEADERS", credentials.getJsonObject("headers").encode());
    }
    if (credentials.containsKey("clientId")) {
      environment.put("USERGATE_UPSTREAM_CLIENT_ID", credentials.getString("clientId"));
      environment.put("USERGATE_UPSTREAM_CLIENT_SECRET", credentials.getString("clientSecret"));
    }
    if (preset.equals("entra")) {
      // Graph's token endpoint is another host (login.microsoftonline.com/TENANT): part of its credentials.
      environment.put("USERGATE_UPSTREAM_TOKEN_URL", credentials.getString("tokenUrl"));
    }
    return environment;
  }
}
