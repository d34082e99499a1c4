package io.usergate.config;

import io.usergate.support.TestConfig;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class ConfigurationTest {

  private static ConfigStoreOptions environment(JsonObject variables) {
    return new ConfigStoreOptions().setType("json").setConfig(variables);
  }

  @Test
  @DisplayName("with no -conf, conf/config.json gives every key its default")
  void fileDefaults(Vertx vertx, VertxTestContext testContext) {
    Configuration.load(vertx, new JsonObject(), environment(new JsonObject()))
      .onComplete(testContext.succeeding(loaded -> testContext.verify(() -> {
        assertEquals(8080, loaded.config().getJsonObject("http").getInteger("port"));
        assertEquals("127.0.0.1", loaded.config().getJsonObject("http").getString("host"));
        assertNull(loaded.config().getJsonObject("pg").getString("host"));
        assertEquals("data/pg", loaded.config().getJsonObject("pg").getString("dataDir"));
        assertEquals(Configuration.DEFAULT_FILE, loaded.source());
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("an environment variable USERGATE_<SECTION>_<KEY> overrides its key, typed")
  void environmentOverrides(Vertx vertx, VertxTestContext testContext) {
    JsonObject variables = new JsonObject()
      .put("USERGATE_HTTP_PORT", "9191")
      .put("USERGATE_PG_DATA_DIR", "/tmp/elsewhere")
      .put("USERGATE_PG_HOST", "db.example")
      .put("UNRELATED", "x");
    Configuration.load(vertx, new JsonObject(), environment(variables))
      .onComplete(testContext.succeeding(loaded -> testContext.verify(() -> {
        assertEquals(9191, loaded.config().getJsonObject("http").getInteger("port"));
        assertEquals("/tmp/elsewhere", loaded.config().getJsonObject("pg").getString("dataDir"));
        assertEquals("db.example", loaded.config().getJsonObject("pg").getString("host"));
        assertTrue(loaded.source().contains("USERGATE_HTTP_PORT"), loaded.source());
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("the usual PG* variables name the server when pg.host is not set")
  void libpqVariables(Vertx vertx, VertxTestContext testContext) {
    JsonObject variables = new JsonObject().put("PGHOST", "pg.internal").put("PGPORT", "6543")
      .put("PGUSER", "app").put("USERGATE_PG_USER", "wins");
    Configuration.load(vertx, new JsonObject(), environment(variables))
      .onComplete(testContext.succeeding(loaded -> testContext.verify(() -> {
        JsonObject pg = loaded.config().getJsonObject("pg");
        assertEquals("pg.internal", pg.getString("host"));
        assertEquals(6543, pg.getInteger("port"));
        assertEquals("wins", pg.getString("user"));
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("the launcher's -conf replaces the file")
  void launcherConfReplacesTheFile(Vertx vertx, VertxTestContext testContext) {
    JsonObject replacement = TestConfig.fileDefaults();
    replacement.getJsonObject("http").put("port", 7070);
    Configuration.load(vertx, replacement, environment(new JsonObject()))
      .onComplete(testContext.succeeding(loaded -> testContext.verify(() -> {
        assertEquals(7070, loaded.config().getJsonObject("http").getInteger("port"));
        assertTrue(loaded.source().contains("-conf"), loaded.source());
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("a port that is not a number stops the start, naming the key and the variable")
  void portNotANumber(Vertx vertx, VertxTestContext testContext) {
    Configuration.load(vertx, new JsonObject(), environment(new JsonObject().put("USERGATE_HTTP_PORT", "abc")))
      .onComplete(testContext.failing(failure -> testContext.verify(() -> {
        assertInstanceOf(InvalidConfigException.class, failure);
        assertTrue(failure.getMessage().contains("http.port"), failure.getMessage());
        assertTrue(failure.getMessage().contains("USERGATE_HTTP_PORT"), failure.getMessage());
        assertTrue(failure.getMessage().contains("\"abc\""), failure.getMessage());
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("a negative pool size stops the start, naming the key")
  void negativePoolSize(Vertx vertx, VertxTestContext testContext) {
    JsonObject file = TestConfig.fileDefaults();
    file.getJsonObject("pg").put("maxSize", -1);
    Configuration.load(vertx, file, environment(new JsonObject()))
      .onComplete(testContext.failing(failure -> testContext.verify(() -> {
        assertTrue(failure.getMessage().contains("pg.maxSize"), failure.getMessage());
        assertTrue(failure.getMessage().contains("out of range"), failure.getMessage());
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("http.allowedOrigins is empty by default and takes comma-separated origins, also from USERGATE_HTTP_ALLOWED_ORIGINS")
  void allowedOrigins(Vertx vertx, VertxTestContext testContext) {
    assertEquals("", TestConfig.fileDefaults().getJsonObject("http").getString("allowedOrigins"));
    JsonObject variables = new JsonObject()
      .put("USERGATE_HTTP_ALLOWED_ORIGINS", "http://app.example:3000, https://admin.example");
    Configuration.load(vertx, new JsonObject(), environment(variables))
      .onComplete(testContext.succeeding(loaded -> testContext.verify(() -> {
        assertEquals("http://app.example:3000, https://admin.example",
          loaded.config().getJsonObject("http").getString("allowedOrigins"));
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("an http.allowedOrigins entry that is not a scheme://host[:port] origin stops the start, naming the key, "
    + "the entry and where it came from")
  void allowedOriginsNotOrigins(Vertx vertx, VertxTestContext testContext) {
    for (String bad : new String[]{"app.example:3000", "http://app.example:3000/", "http://app.example/path", "*",
      "ftp://app.example", "http://app.example:3000,", "http://user@app.example", "http://app.example:70000", "null"}) {
      JsonObject file = TestConfig.fileDefaults();
      file.getJsonObject("http").put("allowedOrigins", "http://ok.example, " + bad);
      InvalidConfigException failure = assertThrows(InvalidConfigException.class,
        () -> Configuration.resolve(file, new JsonObject(), new ArrayList<>()), bad);
      assertTrue(failure.getMessage().contains("http.allowedOrigins"), failure.getMessage());
      assertTrue(failure.getMessage().contains("the configuration file"), failure.getMessage());
      assertTrue(failure.getMessage().contains(bad.endsWith(",") ? "empty entry" : "\"" + bad + "\" is not an origin"),
        failure.getMessage());
    }
    Configuration.load(vertx, new JsonObject(), environment(new JsonObject().put("USERGATE_HTTP_ALLOWED_ORIGINS", "app.example")))
      .onComplete(testContext.failing(failure -> testContext.verify(() -> {
        assertInstanceOf(InvalidConfigException.class, failure);
        assertTrue(failure.getMessage().contains("http.allowedOrigins"), failure.getMessage());
        assertTrue(failure.getMessage().contains("USERGATE_HTTP_ALLOWED_ORIGINS"), failure.getMessage());
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("a key the service does not know (a typo) stops the start, naming it")
  void unknownKey(Vertx vertx, VertxTestContext testContext) {
    JsonObject file = TestConfig.fileDefaults();
    file.getJsonObject("http").put("prot", 1);
    Configuration.load(vertx, file, environment(new JsonObject()))
      .onComplete(testContext.failing(failure -> testContext.verify(() -> {
        assertTrue(failure.getMessage().contains("http.prot"), failure.getMessage());
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("a key missing from a -conf file stops the start, naming it")
  void missingKey(Vertx vertx, VertxTestContext testContext) {
    JsonObject file = TestConfig.fileDefaults();
    file.getJsonObject("pg").remove("scopeTimeoutMs");
    Configuration.load(vertx, file, environment(new JsonObject()))
      .onComplete(testContext.failing(failure -> testContext.verify(() -> {
        assertTrue(failure.getMessage().contains("pg.scopeTimeoutMs is missing"), failure.getMessage());
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("environment names are the key in upper snake case")
  void environmentNames() {
    assertEquals("USERGATE_HTTP_PORT", ConfigKey.integer("http.port", 0, 1).environmentName());
    assertEquals("USERGATE_UPSTREAM_BASE_URL", ConfigKey.string("upstream.baseUrl", false).environmentName());
    assertEquals("USERGATE_PG_DATA_DIR", ConfigKey.string("pg.dataDir", false).environmentName());
    assertEquals("USERGATE_PG_MAX_WAIT_QUEUE_SIZE", ConfigKey.integer("pg.maxWaitQueueSize", 0, 1).environmentName());
  }
}
