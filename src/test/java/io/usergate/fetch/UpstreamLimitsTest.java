package io.usergate.fetch;

import io.usergate.HeaderNames;
import io.usergate.store.StoreAddresses;
import io.usergate.support.Bus;
import io.usergate.support.FakeDirectory;
import io.usergate.support.FakeDirectory.Behaviour;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The directory's limits kept: the request rate, and its Retry-After. A counting upstream on loopback. */
class UpstreamLimitsTest {

  private Vertx vertx;
  private FakeDirectory upstream;

  private void deploy(Consumer<JsonObject> tweak) throws Exception {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs");
    vertx = Vertx.vertx();
    upstream = new FakeDirectory().deployOn(vertx);
    JsonObject config = TestConfig.against(upstream);
    tweak.accept(config);
    Stack.services(vertx, config);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("upstream.maxRatePerSecond 50: 300 misses at once all succeed, and the directory never sees more than 50 "
    + "in any one-second window, the first second included")
  void rateIsKept() throws Exception {
    // The directory counts arrivals on the two cores that also run usergate and the suite: a call can arrive
    // later than it left by tens of milliseconds (a stalled event loop), more than a LAN's jitter that the
    // default 20 ms margin is for.
    deploy(config -> config.getJsonObject("upstream").put("maxRatePerSecond", 50).put("rateMarginMs", 100));
    JsonArray ids = new JsonArray(IntStream.rangeClosed(1, 300).boxed().toList());
    JsonObject reply = Bus.call(vertx, FetchAddresses.MANY, new JsonObject().put("ids", ids).put("mode", "settled"));
    assertEquals(300, reply.getInteger("succeeded"), reply.encode());
    List<Long> arrivals = upstream.arrivals();
    assertEquals(300, arrivals.size());
    long firstSecond = arrivals.stream().filter(at -> at - arrivals.get(0) <= 1_000_000_000L).count();
    assertTrue(firstSecond <= 50, firstSecond + " calls in the first second");
    int most = upstream.mostArrivalsInAnySecond();
    assertTrue(most <= 50, "at most 50 in any second, saw " + most + " at (ms) " + upstream.busiestSecond());
    assertTrue(most >= 40, "the rate is used, not starved: " + most + " in the busiest second");
  }

  @Test
  @DisplayName("a 429 with Retry-After pauses every upstream call until then; a caller with a copy gets it at once")
  void retryAfterPausesEveryone() throws Exception {
    deploy(config -> {
      config.getJsonObject("upstream").put("retries", 1);
      TestConfig.withCache(config, 1000L);
    });
    upstream.script(1, Behaviour.RATE_LIMITED, 0);
    Bus.call(vertx, StoreAddresses.UPSERT, new JsonObject().put("users", new JsonArray().add(FakeDirectory.user(3)))
      .put("fetchedAt", Instant.now().minusSeconds(3600).toString()));
    var limited = vertx.eventBus().<JsonObject>request(FetchAddresses.ONE, new JsonObject().put("id", 1));
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> upstream.calls(1) == 1);
    long pausedAt = System.nanoTime();
    Message<JsonObject> copy = Bus.request(vertx, FetchAddresses.ONE, new JsonObject().put("id", 3));
    assertEquals("hit; detail=upstream-paused", copy.headers().get(HeaderNames.BUS_CACHE_STATUS));
    assertEquals(0, upstream.calls(3), "the copy, with no upstream call during the pause");
    JsonObject user = Bus.call(vertx, FetchAddresses.ONE, new JsonObject().put("id", 2));
    assertEquals(2L, user.getLong("id"));
    List<Long> arrivals = upstream.arrivals();
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(arrivals.get(arrivals.size() - 1) - pausedAt);
    assertTrue(waitedMs >= 800, "user 2 was asked for only after the 1 s pause, " + waitedMs + " ms after it began");
    Throwable failure = limited.transform(done -> Future.succeededFuture(done.cause())).await(10, TimeUnit.SECONDS);
    assertTrue(failure.getMessage().contains("UPSTREAM_UNAVAILABLE"), String.valueOf(failure));
    assertEquals(2, upstream.calls(1), "its one retry waited for the pause too, then was refused again");
  }
}
