package io.usergate.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The whole service in a test's own Vert.x ({@link Stack#all}), on a free port, and a client for its HTTP API:
 * what a test class starts in its {@code @BeforeAll} and closes in its {@code @AfterAll}.
 */
public final class InProcessService {

  public final Vertx vertx;
  /** Also for the test's other HTTP calls (a real directory's admin API, say). */
  public final WebClient client;
  private int port;

  public InProcessService(Vertx vertx) {
    this(vertx, WebClient.create(vertx));
  }

  /** With a client of the test's own options (a larger pool, say). */
  public InProcessService(Vertx vertx, WebClient client) {
    this.vertx = vertx;
    this.client = client;
  }

  /** Deploys store, fetch, sync and web with {@code config}. */
  public InProcessService deploy(JsonObject config) throws Exception {
    port = Stack.all(vertx, config).actualPort();
    return this;
  }

  public int port() {
    return port;
  }

  /** GET {@code uri} with {@code headers} given as name, value, name, value ... */
  public HttpResponse<Buffer> get(String uri, String... headers) throws Exception {
    var request = client.get(port, "127.0.0.1", uri);
    for (int i = 0; i < headers.length; i += 2) {
      request.putHeader(headers[i], headers[i + 1]);
    }
    return request.send().await(30, TimeUnit.SECONDS);
  }

  /**
   * POST /users/batch of the ids of {@code users}, checked: 200, every user answered, in the order asked.
   * Returns the users answered.
   */
  public JsonArray fanOut(List<JsonObject> users) throws Exception {
    JsonArray ids = new JsonArray();
    users.forEach(user -> ids.add(user.getString("id")));
    HttpResponse<Buffer> response = client.post(port, "127.0.0.1", "/users/batch")
      .sendJsonObject(new JsonObject().put("ids", ids)).await(60, TimeUnit.SECONDS);
    assertEquals(200, response.statusCode(), response.bodyAsString());
    JsonArray answered = response.bodyAsJsonObject().getJsonArray("users");
    assertEquals(ids.size(), answered.size());
    for (int i = 0; i < ids.size(); i++) {
      assertEquals(ids.getString(i), answered.getJsonObject(i).getString("id"));
    }
    return answered;
  }

  public void close() throws Exception {
    Stack.close(vertx);
  }
}
