package io.usergate.support;

import io.usergate.config.Configuration;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;

/** The configuration tests start from: conf/config.json, checked, pointed at the test database. */
public final class TestConfig {

  private TestConfig() {
  }

  public static Path projectDir() {
    return Path.of(System.getProperty("usergate.basedir", "."));
  }

  /** conf/config.json as it is in the repository, unchecked. */
  public static JsonObject fileDefaults() {
    try {
      return new JsonObject(Files.readString(projectDir().resolve(Configuration.DEFAULT_FILE)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** conf/config.json with this process's environment applied, as the service would see it. */
  static JsonObject withEnvironment() {
    JsonObject env = new JsonObject();
    Map<String, String> variables = System.getenv();
    variables.forEach(env::put);
    return Configuration.resolve(fileDefaults(), env, new ArrayList<>());
  }

  /** The checked default configuration, on the test database, HTTP on a free port. */
  public static JsonObject forTests() {
    JsonObject config = Configuration.resolve(fileDefaults(), new JsonObject(), new ArrayList<>());
    config.put("pg", TestDatabase.pg());
    config.getJsonObject("http").put("port", 0);
    return config;
  }
}
