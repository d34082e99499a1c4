package io.usergate;

import io.usergate.config.Configuration;
import io.usergate.demo.DemoIdsAccess;
import io.usergate.support.Stack;
import io.usergate.support.TestDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code USERGATE_UPSTREAM_PRESET=NAME scripts/run} with no base URL: main makes the demo directory, in the preset's
 * shape, the upstream, under its base path and with its credentials (its token endpoint, or its static token).
 */
class DemoAsUpstreamTest {

  private Vertx vertx;

  @BeforeEach
  void start() {
    TestDatabase.execute("TRUNCATE users");
    vertx = Vertx.vertx();
  }

  @AfterEach
  void close() throws Exception {
    Stack.close(vertx);
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @ParameterizedTest(name = "{0}")
  @DisplayName("a preset alone, no base URL: main points the upstream at the demo in that shape, with its credentials, and users are served")
  @CsvSource({
    "keycloak, 08400fcc-2ffa-4314-9549-000000000007",  // user 7: the same id on every run
    "okta, ",
    "auth0, "})
  void presetAloneServesTheDemo(String preset, String knownId) throws Exception {
    int port = freePort();
    JsonObject config = Configuration.load(new Configuration.Sources(null, null, Map.of("USERGATE_UPSTREAM_PRESET", preset,
      "USERGATE_HTTP_PORT", Integer.toString(port), "USERGATE_DEMO_PORT", "0", "USERGATE_DEMO_LATENCY_MS", "0",
      "USERGATE_DEMO_JITTER_MS", "0", "USERGATE_CACHE_MEMORY_BYTES", "0"), Map.of())).config();
    config.put("pg", TestDatabase.pg());
    vertx.deployVerticle(new MainVerticle(), new DeploymentOptions().setConfig(config)).await(60, TimeUnit.SECONDS);
    // The id of the shape's user 7, as the demo makes it (the start log names users 1 to 3).
    String id = knownId != null ? knownId : DemoIdsAccess.id(preset, 7);
    HttpResponse<Buffer> answer = WebClient.create(vertx).get(port, "127.0.0.1", "/users/" + id.replace("|", "%7C"))
      .send().await(10, TimeUnit.SECONDS);
    assertEquals(200, answer.statusCode(), preset + ": " + answer.bodyAsString());
    assertEquals(id, answer.bodyAsJsonObject().getString("id"));
  }
}
