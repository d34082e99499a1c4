package io.usergate.web;

import io.usergate.support.Chromium;
import io.usergate.support.FakeDirectory;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /docs} in headless Chromium: Swagger UI loads from usergate alone (every other host fails to
 * resolve, so a file from a CDN would leave the page empty), fetches /openapi.yaml under the origin policy
 * and shows the operations. With {@code -Dusergate.writeScreenshot=true} it also writes target/browser/docs.png.
 */
class DocsBrowserTest {

  /** Only the loopback address resolves: nothing can come from elsewhere. */
  private static final String OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1";

  private Vertx vertx;
  private int port;

  @BeforeEach
  void deploy() throws Exception {
    Chromium.assertInstalled();
    vertx = Vertx.vertx();
    FakeDirectory upstream = new FakeDirectory().deployOn(vertx);
    JsonObject config = TestConfig.forTests();
    config.getJsonObject("upstream").put("baseUrl", upstream.baseUrl());
    port = Stack.all(vertx, config).actualPort();
  }

  @AfterEach
  void close() throws Exception {
    Stack.close(vertx);
  }

  @Test
  @DisplayName("/docs shows Swagger UI with usergate's operations, from usergate alone, under its origin policy")
  void showsTheOperations() throws Exception {
    String url = "http://127.0.0.1:" + port + "/docs";
    String dom = Chromium.dumpDom("docs", url, 5000, Duration.ofSeconds(60), OFFLINE);
    assertTrue(dom.contains("class=\"swagger-ui\""), "Swagger UI rendered: " + excerpt(dom, "<body"));
    assertTrue(dom.contains(">usergate<") || dom.contains(">usergate "), "the document's title: " + excerpt(dom, "class=\"title\""));
    for (String path : new String[] {"/users/{id}", "/sync/jobs/retry", "/changes", "/health/ready", "/openapi.yaml"}) {
      assertTrue(dom.contains("data-path=\"" + path + "\""), "the operation " + path + " is listed: " + excerpt(dom, "opblock-tag-section"));
    }
    assertTrue(!dom.contains("petstore"), "not the webjar's demo page");
    if (Boolean.getBoolean("usergate.writeScreenshot")) {
      Path shot = TestConfig.projectDir().resolve("target/browser/docs.png").toAbsolutePath();
      try (Chromium browser = Chromium.open("docs-shot", url, OFFLINE, "--screenshot=" + shot, "--window-size=1300,1600",
        "--hide-scrollbars", "--virtual-time-budget=5000")) {
        browser.exited().get(60, TimeUnit.SECONDS);
      }
    }
  }

  private static String excerpt(String dom, String marker) {
    int at = dom.indexOf(marker);
    return at < 0 ? "(no " + marker + " in the page: " + dom.substring(0, Math.min(dom.length(), 1500)) + ")"
      : dom.substring(at, Math.min(dom.length(), at + 1500));
  }
}
