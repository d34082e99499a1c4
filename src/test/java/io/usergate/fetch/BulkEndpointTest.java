package io.usergate.fetch;

import io.usergate.support.Bus;
import io.usergate.support.FakeDirectory;
import io.usergate.support.FakeDirectory.Behaviour;
import io.usergate.support.Sql;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.LongStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** upstream.batchPath: misses fetched together from the directory's bulk endpoint (a real upstream on loopback). */
class BulkEndpointTest {

  private Vertx vertx;
  private FakeDirectory upstream;

  @BeforeEach
  void deploy() throws Exception {
    TestDatabase.execute("TRUNCATE users");
    vertx = Vertx.vertx();
    upstream = new FakeDirectory().deployOn(vertx);
  }

  /** The services against the bulk endpoint, with the upstream section changed by {@code upstreamConfig}. */
  private void start(Consumer<JsonObject> upstreamConfig) throws Exception {
    JsonObject config = TestConfig.forTests();
    JsonObject section = config.getJsonObject("upstream").put("baseUrl", upstream.baseUrl()).put("retries", 0)
      .put("batchPath", "/users{?id*}").put("maxBatchSize", 100);
    upstreamConfig.accept(section);
    Stack.services(vertx, config);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private static JsonArray ids(long from, long to) {
    return new JsonArray(LongStream.rangeClosed(from, to).boxed().toList());
  }

  private JsonObject settled(long from, long to) throws Exception {
    return Bus.call(vertx, FetchAddresses.MANY, new JsonObject().put("ids", ids(from, to)).put("mode", "settled"));
  }

  private static String code(JsonObject settled, int index) {
    return settled.getJsonArray("results").getJsonObject(index).getJsonObject("error").getString("code");
  }

  @Test
  @DisplayName("a fan-out of 100 missing ids is one bulk call, 250 ids are three; every user answered and written through")
  void fanOut() throws Exception {
    start(upstream -> { });
    assertEquals(100, Bus.call(vertx, FetchAddresses.MANY, new JsonObject().put("ids", ids(1, 100))).getJsonArray("users").size());
    assertEquals(1, upstream.bulkCalls());
    assertEquals(250, Bus.call(vertx, FetchAddresses.MANY, new JsonObject().put("ids", ids(1001, 1250))).getJsonArray("users").size());
    assertEquals(4, upstream.bulkCalls());
    await().atMost(Duration.ofSeconds(10)).until(() -> Sql.count("SELECT count(*) FROM users") == 350);
  }

  @Test
  @DisplayName("50 callers of fetch.one for 50 ids within batchDelayMs share one bulk call")
  void separateCallersShareOneCall() throws Exception {
    start(upstream -> upstream.put("batchDelayMs", 300));
    List<Future<?>> answers = new ArrayList<>();
    for (long id = 1; id <= 50; id++) {
      answers.add(vertx.eventBus().request(FetchAddresses.ONE, new JsonObject().put("id", id)));
    }
    Future.all(answers).await(30, TimeUnit.SECONDS);
    assertEquals(1, upstream.bulkCalls());
    assertEquals(0, upstream.totalCalls() - upstream.bulkCalls(), "no single GET");
  }

  @Test
  @DisplayName("an id the answer leaves out is NOT_FOUND, an invalid entry UPSTREAM_ERROR, for those ids alone; the others succeed")
  void perIdOutcomes() throws Exception {
    start(upstream -> { });
    upstream.script(3, Behaviour.NOT_FOUND, 0).script(4, Behaviour.NO_NAME, 0);
    JsonObject reply = settled(1, 5);
    assertEquals(3, reply.getInteger("succeeded"), reply.encode());
    assertEquals("NOT_FOUND", code(reply, 2));
    assertEquals("UPSTREAM_ERROR", code(reply, 3));
    assertEquals(1, upstream.bulkCalls());
    // The 404 is remembered like a single fetch's (with cache.notFoundForMs on), and nothing invalid is stored.
    await().atMost(Duration.ofSeconds(10)).until(() -> Sql.count("SELECT count(*) FROM users") == 3);
    assertEquals(0, Sql.count("SELECT count(*) FROM users WHERE id IN ('3', '4')"));
  }

  @Test
  @DisplayName("a user given twice, differently, is UPSTREAM_ERROR alone; a user nobody asked for is ignored and not stored")
  void twiceAndUnasked() throws Exception {
    start(upstream -> { });
    upstream.script(2, Behaviour.TWICE, 0).bulkExtra(99);
    JsonObject reply = settled(1, 3);
    assertEquals(2, reply.getInteger("succeeded"), reply.encode());
    assertEquals("UPSTREAM_ERROR", code(reply, 1));
    assertTrue(reply.getJsonArray("results").getJsonObject(1).getJsonObject("error").getString("message").contains("twice"));
    await().atMost(Duration.ofSeconds(10)).until(() -> Sql.count("SELECT count(*) FROM users") == 2);
    assertEquals(0, Sql.count("SELECT count(*) FROM users WHERE id IN ('2', '99')"));
  }

  @Test
  @DisplayName("an answer that is not an array fails every id of the call, UPSTREAM_ERROR, and stores nothing")
  void notAnArray() throws Exception {
    start(upstream -> { });
    upstream.bulkBody("{\"users\": [{\"id\": 1, \"name\": \"One\"}]}");
    JsonObject reply = settled(1, 3);
    assertEquals(3, reply.getInteger("failed"), reply.encode());
    for (int i = 0; i < 3; i++) {
      assertEquals("UPSTREAM_ERROR", code(reply, i));
    }
    assertTrue(reply.getJsonArray("results").getJsonObject(0).getJsonObject("error").getString("message").contains("not an array"));
    assertEquals(0, Sql.count("SELECT count(*) FROM users"));
  }

  @Test
  @DisplayName("a 500 of the bulk endpoint is retried as a single GET's is; the retry answers every id")
  void serverErrorRetried() throws Exception {
    start(upstream -> upstream.put("retries", 1).put("retryBaseDelayMs", 1));
    upstream.failBulk(1);
    JsonObject reply = settled(1, 10);
    assertEquals(10, reply.getInteger("succeeded"), reply.encode());
    assertEquals(2, upstream.bulkCalls());
  }
}
