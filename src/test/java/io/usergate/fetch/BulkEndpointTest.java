package io.usergate.fetch;

import io.usergate.support.Bus;
import io.usergate.support.FakeDirectory;
import io.usergate.support.FakeDirectory.Behaviour;
import io.usergate.support.Sql;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** upstream.batchPath: misses fetched together from the directory's bulk endpoint (a real upstream on loopback). */
class BulkEndpointTest {

  private Vertx vertx;
  private FakeDirectory upstream;

  @BeforeEach
  void deploy() throws Exception {
    TestDatabase.execute(TestDatabase.pg(), "usergate", "TRUNCATE users");
    vertx = Vertx.vertx();
    upstream = new FakeDirectory();
    vertx.deployVerticle(upstream).await(10, TimeUnit.SECONDS);
    JsonObject config = TestConfig.forTests();
    config.getJsonObject("upstream").put("baseUrl", upstream.baseUrl()).put("retries", 0)
      .put("batchPath", "/users{?id*}").put("maxBatchSize", 100);
    Stack.services(vertx, config);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private static JsonArray ids(long from, long to) {
    return new JsonArray(LongStream.rangeClosed(from, to).boxed().toList());
  }

  @Test
  @DisplayName("a fan-out of 100 missing ids is one bulk call, 250 ids are three; every user answered and written through")
  void fanOut() throws Exception {
    assertEquals(100, Bus.call(vertx, FetchAddresses.MANY, new JsonObject().put("ids", ids(1, 100))).getJsonArray("users").size());
    assertEquals(1, upstream.bulkCalls());
    assertEquals(250, Bus.call(vertx, FetchAddresses.MANY, new JsonObject().put("ids", ids(1001, 1250))).getJsonArray("users").size());
    assertEquals(4, upstream.bulkCalls());
    await().atMost(Duration.ofSeconds(10)).until(() -> Sql.count("SELECT count(*) FROM users") == 350);
  }

  @Test
  @DisplayName("an id the answer leaves out is NOT_FOUND, an invalid entry UPSTREAM_ERROR, for those ids alone; the others succeed")
  void perIdOutcomes() throws Exception {
    upstream.script(3, Behaviour.NOT_FOUND, 0).script(4, Behaviour.NO_NAME, 0);
    JsonObject reply = Bus.call(vertx, FetchAddresses.MANY, new JsonObject().put("ids", ids(1, 5)).put("mode", "settled"));
    JsonArray results = reply.getJsonArray("results");
    assertEquals(3, reply.getInteger("succeeded"), reply.encode());
    assertEquals("NOT_FOUND", results.getJsonObject(2).getJsonObject("error").getString("code"));
    assertEquals("UPSTREAM_ERROR", results.getJsonObject(3).getJsonObject("error").getString("code"));
    assertEquals(1, upstream.bulkCalls());
    // The 404 is remembered like a single fetch's (with cache.notFoundForMs on), and nothing invalid is stored.
    await().atMost(Duration.ofSeconds(10)).until(() -> Sql.count("SELECT count(*) FROM users") == 3);
    assertEquals(0, Sql.count("SELECT count(*) FROM users WHERE id IN (3, 4)"));
  }
}
