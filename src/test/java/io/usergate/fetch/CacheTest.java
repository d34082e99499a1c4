package io.usergate.fetch;

import io.usergate.store.StoreAddresses;
import io.usergate.support.Bus;
import io.usergate.support.FakeDirectory;
import io.usergate.support.FakeDirectory.Behaviour;
import io.usergate.support.InProcessService;
import io.usergate.support.Sql;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** usergate as a cache: the whole stack against a counting upstream on loopback and the real mirror. */
class CacheTest {

  private InProcessService service;
  private FakeDirectory upstream;

  @BeforeEach
  void deploy() throws Exception {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs");
    service = new InProcessService(Vertx.vertx());
    upstream = new FakeDirectory().deployOn(service.vertx);
    JsonObject config = TestConfig.cachingAgainst(upstream);
    config.getJsonObject("cache").put("notFoundForMs", 60_000L);
    service.deploy(config);
  }

  @AfterEach
  void close() throws Exception {
    service.close();
  }

  /** Stores {@code user} as if it had been fetched {@code agoMs} ago. */
  private void storeCopy(long id, long agoMs) throws Exception {
    Bus.call(service.vertx, StoreAddresses.UPSERT, new JsonObject().put("users", new JsonArray().add(FakeDirectory.user(id)))
      .put("fetchedAt", Instant.now().minusMillis(agoMs).toString()));
  }

  private void awaitStored(long id) {
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
      .until(() -> Sql.count("SELECT count(*) FROM users WHERE id = '" + id + "'") == 1);
  }

  @Test
  @DisplayName("a fresh copy is answered from the mirror with no upstream call, with Age, Last-Modified, Cache-Status and an ETag; If-None-Match → 304")
  void freshHit() throws Exception {
    HttpResponse<Buffer> live = service.get("/users/7");
    assertEquals(200, live.statusCode());
    assertEquals("usergate; fwd=miss", live.getHeader("Cache-Status"));
    awaitStored(7);
    HttpResponse<Buffer> hit = service.get("/users/7");
    assertEquals(200, hit.statusCode());
    assertEquals(1, upstream.calls(7), "the second answer came from the cache");
    assertEquals("usergate; hit", hit.getHeader("Cache-Status"));
    assertEquals("memory", hit.getHeader("X-Usergate-Source"), "a copy held in memory, no mirror read");
    assertEquals(FakeDirectory.user(7), hit.bodyAsJsonObject());
    assertNotNull(hit.getHeader("Age"));
    assertNotNull(hit.getHeader("Last-Modified"));
    String etag = hit.getHeader("ETag");
    assertNotNull(etag);
    HttpResponse<Buffer> notModified = service.get("/users/7", "If-None-Match", etag);
    assertEquals(304, notModified.statusCode());
    assertNull(notModified.body());
    assertEquals(200, service.get("/users/7", "If-None-Match", "\"other\", garbage,,W/").statusCode(), "a malformed tag is no match");
    assertEquals(1, upstream.calls(7));
  }

  @Test
  @DisplayName("a hit on a hot user reads nothing from the mirror; a max-age its hot copy is too old for reads the mirror again")
  void hotHitReadsNoMirror() throws Exception {
    AtomicInteger mirrorReads = Bus.countSent(service.vertx, StoreAddresses.GET_MANY);
    assertEquals("usergate; fwd=miss", service.get("/users/7").getHeader("Cache-Status"));
    int afterMiss = mirrorReads.get();
    assertEquals(1, afterMiss, "a miss looks at the mirror once");
    for (int i = 0; i < 5; i++) {
      assertEquals("usergate; hit", service.get("/users/7").getHeader("Cache-Status"));
    }
    assertEquals(afterMiss, mirrorReads.get(), "hits are answered from memory");
    assertEquals(1, upstream.calls(7));

    // Written by someone else 30 s ago: read once, then held; a caller who wants 10 s at most looks again.
    storeCopy(8, 30_000);
    assertEquals("usergate; hit", service.get("/users/8").getHeader("Cache-Status"));
    int afterRead = mirrorReads.get();
    assertEquals(afterMiss + 1, afterRead);
    HttpResponse<Buffer> young = service.get("/users/8", "Cache-Control", "max-age=10");
    assertEquals("usergate; fwd=stale", young.getHeader("Cache-Status"));
    assertEquals(afterRead + 1, mirrorReads.get(), "the hot copy was too old for max-age=10: the mirror was asked");
    assertEquals(1, upstream.calls(8));
  }

  @Test
  @DisplayName("a hit is answered at the web edge, no bus crossed, with the same headers; a new copy (changed upstream) is the web's at once, and a 404 drops it")
  void edgeHits() throws Exception {
    AtomicInteger asked = Bus.countSent(service.vertx, FetchAddresses.ONE);
    HttpResponse<Buffer> miss = service.get("/users/7");
    assertEquals("usergate; fwd=miss", miss.getHeader("Cache-Status"));
    HttpResponse<Buffer> hit = service.get("/users/7");
    assertEquals(1, asked.get(), "the hit was answered by the web verticle itself");
    assertEquals(200, hit.statusCode());
    assertEquals("usergate; hit", hit.getHeader("Cache-Status"));
    assertEquals("memory", hit.getHeader("X-Usergate-Source"));
    assertEquals(miss.getHeader("X-Usergate-Fetched-At"), hit.getHeader("X-Usergate-Fetched-At"));
    assertEquals(miss.getHeader("ETag"), hit.getHeader("ETag"));
    assertEquals(miss.getHeader("Last-Modified"), hit.getHeader("Last-Modified"));
    assertNotNull(hit.getHeader("Age"));
    assertEquals(FakeDirectory.user(7), hit.bodyAsJsonObject());
    assertEquals(304, service.get("/users/7", "If-None-Match", hit.getHeader("ETag")).statusCode());
    assertEquals("usergate; fwd=request", service.get("/users/7", "Cache-Control", "no-cache").getHeader("Cache-Status"),
      "no-cache still goes upstream");
    assertEquals(2, asked.get());

    // Changed in the directory and fetched live by a bus caller: the node's one cache holds the new copy, and
    // the web's next hit answers it, asking nobody.
    upstream.script(7, FakeDirectory.Behaviour.RENAMED, 0);
    assertEquals("Renamed 7", Bus.call(service.vertx, FetchAddresses.ONE, new JsonObject().put("id", 7).put(FetchAddresses.NO_CACHE, true))
      .getString("name"));
    assertEquals(3, asked.get());
    HttpResponse<Buffer> renamed = service.get("/users/7");
    assertEquals("Renamed 7", renamed.bodyAsJsonObject().getString("name"));
    assertEquals("usergate; hit", renamed.getHeader("Cache-Status"));
    assertEquals(3, asked.get(), "a hit of the new copy, at the web");
    assertEquals("Renamed 7", service.get("/users/7").bodyAsJsonObject().getString("name"));
    assertEquals(3, asked.get());

    // Gone from the directory: the 404 drops the node's copy, and the next request asks fetch.
    upstream.script(7, FakeDirectory.Behaviour.NOT_FOUND, 0);
    assertEquals(404, service.get("/users/7", "Cache-Control", "no-cache").statusCode());
    int afterNotFound = asked.get();
    service.get("/users/7");
    assertEquals(afterNotFound + 1, asked.get(), "after the 404, the cache had nothing to answer");
  }

  @Test
  @DisplayName("a write to the mirror that is not fetch's own write-through (a store.upsert straight from this node) drops the node's cached copy")
  void aDirectWriteDropsTheCopies() throws Exception {
    assertEquals("Fake 7", service.get("/users/7").bodyAsJsonObject().getString("name"));
    awaitStored(7);
    assertEquals("usergate; hit", service.get("/users/7").getHeader("Cache-Status"), "its own write-through left the copies alone");
    Bus.call(service.vertx, StoreAddresses.UPSERT, new JsonObject().put("users", new JsonArray().add(FakeDirectory.user(7).put("name", "Written 7"))));
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
      .until(() -> "Written 7".equals(service.get("/users/7").bodyAsJsonObject().getString("name")));
    assertEquals(1, upstream.calls(7), "the mirror's copy, fresh");
  }

  @Test
  @DisplayName("fetch.many reads its hits in one go and fetches only the misses")
  void manyFetchesOnlyMisses() throws Exception {
    storeCopy(1, 1000);
    storeCopy(2, 1000);
    JsonObject reply = Bus.call(service.vertx, FetchAddresses.MANY, new JsonObject().put("ids", new JsonArray().add(1).add(3).add(2).add(3)));
    assertEquals(4, reply.getJsonArray("users").size());
    assertEquals(3L, reply.getJsonArray("users").getJsonObject(1).getLong("id"));
    assertEquals(0, upstream.calls(1) + upstream.calls(2), "hits");
    assertEquals(1, upstream.calls(3), "the miss, once");
  }

  @Test
  @DisplayName("a no-cache of a user the node holds reads no mirror row, ETag or not: memory's copy and the mirror's "
    + "carry the same validator (the live path of a directory without ETags costs no SELECT)")
  void noCacheOfAHotUserReadsNoMirror() throws Exception {
    assertEquals(200, service.get("/users/14").statusCode());
    List<String> mirrorReads = Bus.recordSent(service.vertx, List.of(StoreAddresses.GET_MANY, StoreAddresses.GET));
    for (int i = 0; i < 3; i++) {
      assertEquals("usergate; fwd=request", service.get("/users/14", "Cache-Control", "no-cache").getHeader("Cache-Status"));
    }
    assertEquals(4, upstream.calls(14));
    assertEquals(List.of(), mirrorReads);
  }

  @Test
  @DisplayName("the caller decides: no-cache and max-age=0 fetch live, max-age=N accepts a younger copy, only-if-cached never calls upstream")
  void callerDirectives() throws Exception {
    storeCopy(12, 30_000);
    assertEquals("usergate; fwd=request", service.get("/users/12", "Cache-Control", "no-cache").getHeader("Cache-Status"));
    assertEquals(1, upstream.calls(12));
    storeCopy(13, 30_000);
    assertEquals("usergate; fwd=stale", service.get("/users/13", "Cache-Control", "max-age=10").getHeader("Cache-Status"));
    assertEquals(1, upstream.calls(13));
    storeCopy(5, 30_000);
    assertEquals("usergate; hit", service.get("/users/5", "Cache-Control", "max-age=40, x-unknown=1").getHeader("Cache-Status"));
    assertEquals("usergate; hit", service.get("/users/5", "Cache-Control", "max-age=oops").getHeader("Cache-Status"), "malformed: ignored");
    assertEquals(0, upstream.calls(5));

    HttpResponse<Buffer> notCached = service.get("/users/6", "Cache-Control", "only-if-cached");
    assertEquals(504, notCached.statusCode());
    assertEquals("NOT_CACHED", notCached.bodyAsJsonObject().getJsonObject("error").getString("code"));
    assertEquals(0, upstream.calls(6));
    assertEquals(200, service.get("/users/5", "Cache-Control", "only-if-cached").statusCode());
    Bus.failure(service.vertx, FetchAddresses.ONE, new JsonObject().put("id", 6).put(FetchAddresses.ONLY_IF_CACHED, true), "NOT_CACHED", 504);
    Bus.failure(service.vertx, FetchAddresses.ONE, new JsonObject().put("id", 6).put(FetchAddresses.MAX_AGE_MS, -1), "BAD_REQUEST", 400);
    Bus.failure(service.vertx, FetchAddresses.MANY, new JsonObject().put("ids", new JsonArray().add(6)).put(FetchAddresses.NO_CACHE, "yes"),
      "BAD_REQUEST", 400);
    assertEquals(0, upstream.calls(6));
  }

  @Test
  @DisplayName("stale-while-revalidate: an old copy is answered at once and refreshed once in the background")
  void staleWhileRevalidate() throws Exception {
    storeCopy(9, 120_000);
    // The refresh's upstream call is held until the callers have their answers: answered at once means
    // answered while the refresh cannot have finished, whatever the machine's speed.
    Promise<Void> refreshMayFinish = Promise.promise();
    upstream.holdUntil(9, refreshMayFinish.future());
    HttpResponse<Buffer> stale = service.get("/users/9");
    assertEquals(200, stale.statusCode());
    assertTrue(stale.getHeader("Cache-Status").contains("stale-while-revalidate"), stale.getHeader("Cache-Status"));
    await().atMost(Duration.ofSeconds(10)).until(() -> upstream.calls(9) == 1);
    assertEquals(200, service.get("/users/9").statusCode(), "a second caller during the refresh");
    refreshMayFinish.complete();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() ->
      Sql.count("SELECT count(*) FROM users WHERE id = '9' AND fetched_at > now() - interval '60 seconds'") == 1);
    assertEquals(1, upstream.calls(9), "one refresh for both callers");
    assertEquals("usergate; hit", service.get("/users/9").getHeader("Cache-Status"));
  }

  @Test
  @DisplayName("a 404 is remembered: answered 404 with no upstream call, until a live fetch finds the user")
  void notFoundIsRemembered() throws Exception {
    upstream.script(4, Behaviour.NOT_FOUND, 0);
    assertEquals(404, service.get("/users/4").statusCode());
    assertEquals(404, service.get("/users/4").statusCode());
    assertEquals(1, upstream.calls(4));
    upstream.script(4, Behaviour.OK, 0);
    assertEquals(200, service.get("/users/4", "Cache-Control", "no-cache").statusCode(), "no-cache asks the upstream anyway");
    assertEquals(2, upstream.calls(4));
    awaitStored(4);
    assertEquals("usergate; hit", service.get("/users/4").getHeader("Cache-Status"));
  }

  @Test
  @DisplayName("the sync is the refresher: it fetches live even when the mirror's copy is fresh")
  void syncFetchesLive() throws Exception {
    storeCopy(11, 0);
    Bus.call(service.vertx, StoreAddresses.JOBS_ENQUEUE, new JsonObject().put("ids", new JsonArray().add(11)));
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> upstream.calls(11) == 1);
  }
}
