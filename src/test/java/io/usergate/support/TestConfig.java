package io.usergate.support;

import io.usergate.config.Configuration;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
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
}
