package io.usergate.examples;

import io.usergate.config.Configuration;
import io.usergate.fetch.FetchAddresses;
import io.usergate.store.StoreAddresses;
import io.usergate.support.Bus;
import io.usergate.support.Sql;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.usergate.sync.SyncAddresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each configuration of conf/examples, as docs/fronting-a-directory.md runs it, against the demo directory in that shape:
 * a user fetched and mapped, then a full walk of the paged list, every user stored, nothing dropped kept.
 */
class ExamplesTest {

  private static final int USERS = 250;
  private Vertx vertx;

  @BeforeEach
  void clean() {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs",
      Sql.RESET_WALK);
    vertx = Vertx.vertx();
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "jsonplaceholder.json | | name",
    "dummyjson.json | | password",
    "reqres.json | {\"x-api-key\": \"demo-key\"} | support"})
  void example(String file, String headers, String absentField) throws Exception {
    Map<String, String> environment = headers == null ? Map.of() : Map.of("USERGATE_UPSTREAM_HEADERS", headers);
    JsonObject config = Configuration.load(new Configuration.Sources(
      TestConfig.projectDir().resolve("conf/examples").resolve(file).toString(), TestConfig.projectDir(), environment, Map.of())).config();
    config.put("pg", TestDatabase.pg());
    config.getJsonObject("demo").put("users", USERS).put("latencyMs", 0).put("jitterMs", 0);
    config.getJsonObject("sync").put("listPageSize", 100);
    Stack.demoUpstream(vertx, config);
    Stack.services(vertx, config);

    JsonObject user = Bus.call(vertx, FetchAddresses.ONE, new JsonObject().put("id", 7));
    assertEquals(7L, user.getLong("id"));
    assertFalse(user.getString("name").isBlank(), user.encode());
    if (!"name".equals(absentField)) {
      assertFalse(user.containsKey(absentField), file + ": " + absentField + " must not be served: " + user.encode());
    }

    assertTrue(Bus.call(vertx, SyncAddresses.WALK, new JsonObject()).getBoolean("started"));
    JsonObject[] walk = new JsonObject[1];
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
      walk[0] = Bus.call(vertx, StoreAddresses.WALK_STATUS, new JsonObject());
      return !"running".equals(walk[0].getString("state"));
    });
    assertEquals("done", walk[0].getString("state"), file + ": " + walk[0].encode());
    assertEquals(USERS, walk[0].getLong("users"));
    assertEquals(USERS, walk[0].getLong("total"), "the directory's total, from its answer");
    assertEquals(USERS, Sql.count("SELECT count(*) FROM users WHERE name <> ''"));
    if (!"name".equals(absentField)) {
      assertEquals(0, Sql.count("SELECT count(*) FROM users WHERE profile ? '" + absentField + "'"), "nothing dropped is stored");
    }
  }
}
