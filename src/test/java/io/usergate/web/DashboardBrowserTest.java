package io.usergate.web;

import io.usergate.metrics.Metrics;
import io.usergate.store.StoreAddresses;
import io.usergate.support.Bus;
import io.usergate.support.Chromium;
import io.usergate.support.FakeDirectory;
import io.usergate.support.FakeDirectory.Behaviour;
import io.usergate.support.Sql;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in headless Chromium during a sync with failures: the queue from /status, the failed
 * jobs with their last error, the change ticker. With {@code -Dusergate.writeScreenshot=true} its
 * screenshot replaces docs/dashboard.png.
 */
class DashboardBrowserTest {

  private Vertx vertx;
  private int port;

  private static final String OPS = "ops-key-0123456789";
  private static final String READER = "reader-key-0123456789";

  @BeforeEach
  void chromium() {
    Chromium.assertInstalled();
  }

  /** The stack with {@code tweak} to its configuration, and a sync run with a failure: something to show. */
  private void deploy(Consumer<JsonObject> tweak) throws Exception {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs", "TRUNCATE user_changes");
    vertx = Metrics.vertxBuilder(new VertxOptions()).build();
    FakeDirectory upstream = new FakeDirectory().deployOn(vertx);
    upstream.script(4, Behaviour.FAIL, 0).script(9, Behaviour.NOT_FOUND, 0);
    JsonObject config = TestConfig.against(upstream);
    config.getJsonObject("sync").put("maxAttempts", 1).put("intervalMs", 200);
    tweak.accept(config);
    port = Stack.all(vertx, config).actualPort();
    Bus.call(vertx, StoreAddresses.JOBS_ENQUEUE, new JsonObject().put("ids", new JsonArray().add(1).add(2).add(3).add(4).add(9)));
    await().atMost(Duration.ofSeconds(10)).until(() -> Sql.count("SELECT count(*) FROM sync_jobs WHERE state IN ('done', 'failed')") == 5);
  }

  @AfterEach
  void close() throws Exception {
    Stack.close(vertx);
  }

  @Test
  @DisplayName("the dashboard shows the queue, the failed job with its last error and a retry button, and the changes")
  void showsTheQueueTheFailuresAndTheChanges() throws Exception {
    deploy(config -> { });
    String dom = Chromium.dumpDom("dashboard", "http://127.0.0.1:" + port + "/", 6000, Duration.ofSeconds(60));
    assertTrue(dom.contains("id=\"status\" class=\"live\""), "the page polled /status: " + excerpt(dom, "id=\"status\""));
    assertEquals("1", text(dom, "qFailed"));
    assertEquals("4", text(dom, "qDone"), "1, 2, 3, and 9 (removed after its 404): " + excerpt(dom, "qDone"));
    String failed = excerpt(dom, "id=\"failedJobs\"");
    assertTrue(failed.contains("<td>4</td>") && failed.contains("UPSTREAM_ERROR") && failed.contains(">retry</button>"), failed);
    String ticker = excerpt(dom, "id=\"ticker\"");
    assertTrue(ticker.contains("user 1 ") && ticker.contains("created"), ticker);
    assertEquals("(live)", text(dom, "tickerState"), "the ticker follows usergate.user.changed over the bridge's WebSocket");
    if (Boolean.getBoolean("usergate.writeScreenshot")) {
      Path shot = TestConfig.projectDir().resolve("target/browser/dashboard.png").toAbsolutePath();
      try (Chromium browser = Chromium.open("dashboard-shot", "http://127.0.0.1:" + port + "/", "--screenshot=" + shot,
        "--window-size=1400,1250", "--hide-scrollbars", "--virtual-time-budget=6000")) {
        browser.exited().get(60, TimeUnit.SECONDS);
      }
      Files.copy(shot, TestConfig.projectDir().resolve("docs/dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Test
  @DisplayName("where a key is required the page still loads: without one it says so and asks for one, a key without "
    + "status:read is told what it lacks, and a key handed over (#key=) makes it live, the change ticker included")
  void asksForAKeyWhereOneIsRequired() throws Exception {
    deploy(config -> config.getJsonObject("auth").put("callers", new JsonObject()
      .put("ops", new JsonObject().put("keySha256", CallersTest.sha256(OPS)).put("scopes", "status:read mirror:read"))
      .put("reader", new JsonObject().put("keySha256", CallersTest.sha256(READER)).put("scopes", "users:read"))));
    String url = "http://127.0.0.1:" + port + "/";

    String none = Chromium.dumpDom("dashboard-nokey", url, 3000, Duration.ofSeconds(60));
    assertEquals("key needed", text(none, "status"));
    assertTrue(text(none, "authNote").contains("requires a key") && text(none, "authNote").contains("status:read"), excerpt(none, "authNote"));
    assertTrue(none.contains("id=\"keyBox\" class=\"asking\""), excerpt(none, "id=\"keyBox\""));
    assertEquals("(a key with mirror:read is needed)", text(none, "tickerState"));

    String lacking = Chromium.dumpDom("dashboard-reader", url + "#key=" + READER, 3000, Duration.ofSeconds(60));
    assertEquals("forbidden", text(lacking, "status"));
    assertTrue(text(lacking, "authNote").contains("lacks the scope status:read"), excerpt(lacking, "authNote"));

    String live = Chromium.dumpDom("dashboard-ops", url + "#key=" + OPS, 6000, Duration.ofSeconds(60));
    assertTrue(live.contains("id=\"status\" class=\"live\""), "the page polled /status with the key: " + excerpt(live, "id=\"status\""));
    assertEquals("4", text(live, "qDone"), excerpt(live, "qDone"));
    assertTrue(excerpt(live, "id=\"ticker\"").contains("created"), excerpt(live, "id=\"ticker\""));
    assertEquals("(live)", text(live, "tickerState"), "the bridge took the key from the frames' headers");
    assertFalse(live.contains(OPS), "the key is not written into the page");
  }

  private static String text(String dom, String id) {
    Matcher matcher = Pattern.compile("id=\"" + id + "\"[^>]*>([^<]*)<").matcher(dom);
    return matcher.find() ? matcher.group(1) : "(no element " + id + ")";
  }

  private static String excerpt(String dom, String marker) {
    int at = dom.indexOf(marker);
    return at < 0 ? "(no " + marker + " in the page)" : dom.substring(at, Math.min(dom.length(), at + 1500));
  }
}
