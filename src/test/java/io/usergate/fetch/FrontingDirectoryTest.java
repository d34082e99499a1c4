package io.usergate.fetch;

import io.usergate.demo.DemoShape;
import io.usergate.metrics.Metrics;
import io.usergate.support.Bus;
import io.usergate.support.LogCapture;
import io.usergate.support.PgDump;
import io.usergate.support.Sql;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole stack in front of a DummyJSON-shaped directory (the demo, demo.shape = dummyjson) that wants
 * an API key: users with firstName/lastName and no name, carrying password, ssn, bank and crypto. What
 * must never be stored is looked for in a real pg_dump of the database the stack wrote to.
 */
class FrontingDirectoryTest {

  private static final String KEY = "k3y-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
  private static final List<String> SENSITIVE = List.of("password", "ssn", "bank", "crypto");

  private Vertx vertx;
  private WebClient client;
  private JsonObject pg;
  private LogCapture logs;

  @BeforeEach
  void database() {
    pg = PgDump.database();
    TestDatabase.execute(pg, pg.getString("database"), "TRUNCATE users", "TRUNCATE sync_jobs");
    logs = LogCapture.everything();
  }

  @AfterEach
  void close() throws Exception {
    Stack.close(vertx);
    logs.close();
  }

  private int start(JsonObject headers, String batchPath) throws Exception {
    return start(headers, batchPath, "/password,/ssn,/bank,/crypto");
  }

  /** The stack on {@link #pg}, the demo requiring {@link #KEY}, usergate sending {@code headers}; returns the web port. */
  private int start(JsonObject headers, String batchPath, String drop) throws Exception {
    vertx = Metrics.vertxBuilder(new VertxOptions()).build();
    client = WebClient.create(vertx);
    JsonObject config = TestConfig.forTests().put("pg", pg);
    config.getJsonObject("demo").put("shape", "dummyjson").put("requiredHeaders", new JsonObject().put("x-api-key", KEY))
      .put("users", 100).put("latencyMs", 0).put("jitterMs", 0);
    Stack.demoUpstream(vertx, config);
    config.getJsonObject("upstream").put("headers", headers).put("retries", 0).put("batchPath", batchPath);
    config.getJsonObject("mapping").put("name", "{/firstName} {/lastName}").put("listPointer", "/users")
      .put("drop", drop);
    return Stack.all(vertx, config).actualPort();
  }

  private HttpResponse<Buffer> get(int port, String uri) throws Exception {
    return client.get(port, "127.0.0.1", uri).send().await(10, TimeUnit.SECONDS);
  }

  /** The values of the sensitive fields of a demo user, as the directory serves them. */
  private static List<String> secretsOf(long id) {
    JsonObject user = DemoShape.DUMMYJSON.user(id);
    return List.of(user.getString("password"), user.getString("ssn"), user.getJsonObject("bank").getString("cardNumber"),
      user.getJsonObject("bank").getString("iban"), user.getJsonObject("crypto").getString("wallet"));
  }

  private void assertNotDumped(List<Long> ids) throws Exception {
    String dump = PgDump.dump(pg);
    for (long id : ids) {
      JsonObject raw = DemoShape.DUMMYJSON.user(id);
      // The dump holds the users: what was kept is there, so what is missing was really not stored.
      assertTrue(dump.contains(raw.getString("firstName") + " " + raw.getString("lastName")), "the mapped name of " + id + " is in the dump");
      assertTrue(dump.contains(raw.getString("username")), "the username of " + id + " is in the dump");
      for (String secret : secretsOf(id)) {
        assertFalse(dump.contains(secret), "user " + id + "'s dropped value " + secret + " is in the pg_dump");
      }
    }
    assertFalse(dump.contains(KEY), "the API key is in the pg_dump");
  }

  private void assertKeyInNoLogLine(String... keys) {
    List<String> lines = logs.lines();
    assertFalse(lines.isEmpty(), "the capture saw the stack's log lines");
    for (String line : lines) {
      for (String key : keys) {
        assertFalse(line.contains(key), "a log line holds the API key: " + line);
      }
    }
  }

  @Test
  @DisplayName("GET /users/{id} behind an API key answers the mapped name; password, ssn, bank and crypto are in neither "
    + "the answer nor a pg_dump; the key is in no log line, /metrics, the dashboard's sources or the dump")
  void oneUser() throws Exception {
    int port = start(new JsonObject().put("x-api-key", KEY), "");
    HttpResponse<Buffer> answer = get(port, "/users/7");
    assertEquals(200, answer.statusCode(), answer.bodyAsString());
    JsonObject user = answer.bodyAsJsonObject();
    JsonObject raw = DemoShape.DUMMYJSON.user(7);
    assertEquals(raw.getString("firstName") + " " + raw.getString("lastName"), user.getString("name"));
    assertEquals(raw.getString("username"), user.getString("username"));
    assertEquals(raw.getString("firstName"), user.getString("firstName"), "the other fields as they came");
    SENSITIVE.forEach(field -> assertFalse(user.containsKey(field), field + " served"));
    await().atMost(Duration.ofSeconds(10)).until(() -> Sql.count(pg, "SELECT count(*) FROM users WHERE id = '7'") == 1);
    assertEquals(1, Sql.count(pg, "SELECT count(*) FROM users WHERE id = '7' AND name = '" + user.getString("name")
      + "' AND profile ? 'firstName' AND NOT profile ?| array['password','ssn','bank','crypto']"));
    assertNotDumped(List.of(7L));
    // The dashboard (/) reads fetch.status and the sync's status over the bridge.
    for (String uri : List.of("/metrics", "/sync", "/health/ready", "/")) {
      assertFalse(get(port, uri).bodyAsString().contains(KEY), uri + " shows the API key");
    }
    assertFalse(Bus.call(vertx, FetchAddresses.STATUS, new JsonObject()).encode().contains(KEY), "fetch.status shows the API key");
    assertKeyInNoLogLine(KEY);
  }

  @Test
  @DisplayName("a wrong API key: the directory's 401 is a clean UPSTREAM_ERROR naming upstream.headers, not the key; nothing stored")
  void wrongKey() throws Exception {
    String wrong = "wr0ng-" + KEY;
    int port = start(new JsonObject().put("x-api-key", wrong), "");
    HttpResponse<Buffer> answer = get(port, "/users/8");
    assertEquals(502, answer.statusCode(), answer.bodyAsString());
    JsonObject error = answer.bodyAsJsonObject().getJsonObject("error");
    assertEquals("UPSTREAM_ERROR", error.getString("code"));
    assertEquals(8L, error.getLong("id"));
    assertEquals("upstream answered 401 to GET /users/8 (check the credentials in upstream.headers)", error.getString("message"));
    assertEquals(0, Sql.count(pg, "SELECT count(*) FROM users"));
    assertKeyInNoLogLine(KEY, wrong);
  }

  @Test
  @DisplayName("no API key at all: the same clean UPSTREAM_ERROR, for the bulk endpoint too")
  void missingKey() throws Exception {
    int port = start(new JsonObject(), "/users{?id*}");
    HttpResponse<Buffer> answer = get(port, "/users/9");
    assertEquals(502, answer.statusCode(), answer.bodyAsString());
    assertTrue(answer.bodyAsJsonObject().getJsonObject("error").getString("message")
      .startsWith("upstream answered 401 to GET /users{?id*} for 1 ids (check the credentials in upstream.headers)"), answer.bodyAsString());
    assertKeyInNoLogLine(KEY);
  }

  @Test
  @DisplayName("bulk answers: the users at mapping.listPointer (/users), each mapped, dropped and stored without its secrets")
  void bulk() throws Exception {
    int port = start(new JsonObject().put("x-api-key", KEY), "/users{?id*}");
    HttpResponse<Buffer> answer = get(port, "/users?ids=1,2,3&mode=settled");
    assertEquals(200, answer.statusCode(), answer.bodyAsString());
    JsonObject reply = answer.bodyAsJsonObject();
    assertEquals(3, reply.getInteger("succeeded"), reply.encode());
    JsonArray results = reply.getJsonArray("results");
    for (int i = 0; i < 3; i++) {
      JsonObject user = results.getJsonObject(i).getJsonObject("user");
      JsonObject raw = DemoShape.DUMMYJSON.user(i + 1);
      assertEquals(raw.getString("firstName") + " " + raw.getString("lastName"), user.getString("name"));
      SENSITIVE.forEach(field -> assertFalse(user.containsKey(field), field + " served"));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> Sql.count(pg, "SELECT count(*) FROM users") == 3);
    assertNotDumped(List.of(1L, 2L, 3L));
    assertKeyInNoLogLine(KEY);
  }

  @Test
  @DisplayName("docs/fronting-a-directory.md's SQL for a changed drop list removes a field stored before the change from every row and from a pg_dump")
  void rewriteAfterTheDropListChanged() throws Exception {
    int port = start(new JsonObject().put("x-api-key", KEY), "", "/crypto");
    assertEquals(200, get(port, "/users/7").statusCode());
    await().atMost(Duration.ofSeconds(10)).until(() -> Sql.count(pg, "SELECT count(*) FROM users WHERE profile ? 'password'") == 1);
    String page = Files.readString(TestConfig.projectDir().resolve("docs/fronting-a-directory.md"));
    int section = page.indexOf("## After changing the drop list");
    assertTrue(section >= 0, "docs/fronting-a-directory.md has no section \"After changing the drop list\"");
    int start = page.indexOf("```sql", section);
    String sql = page.substring(page.indexOf('\n', start) + 1, page.indexOf("```", start + 6));
    // VACUUM runs outside a transaction: each statement on its own.
    TestDatabase.execute(pg, pg.getString("database"), Arrays.stream(sql.split(";")).map(String::strip)
      .filter(statement -> !statement.isEmpty()).toArray(String[]::new));
    assertEquals(1, Sql.count(pg, "SELECT count(*) FROM users WHERE NOT profile ?| array['password','ssn'] AND profile ? 'bank'"
      + " AND profile #> '{bank,cardNumber}' IS NULL"));
    String dump = PgDump.dump(pg);
    JsonObject raw = DemoShape.DUMMYJSON.user(7);
    assertTrue(dump.contains(raw.getString("username")), "the user is in the dump");
    assertFalse(dump.contains(raw.getString("password")), "the password stored before the change is still in the dump");
    assertFalse(dump.contains(raw.getJsonObject("bank").getString("cardNumber")), "the card number is still in the dump");
  }
}
