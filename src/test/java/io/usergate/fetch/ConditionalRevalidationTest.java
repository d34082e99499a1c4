package io.usergate.fetch;

import io.usergate.metrics.Metrics;
import io.usergate.store.StoreAddresses;
import io.usergate.support.Bus;
import io.usergate.support.FakeDirectory;
import io.usergate.support.FakeDirectory.Behaviour;
import io.usergate.support.InProcessService;
import io.usergate.support.Sql;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.VertxOptions;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conditional revalidation against a directory on loopback that gives weak ETags and answers 304 to a
 * matching If-None-Match: what goes on the wire, and what a 304 changes (the fetch time, and nothing else).
 */
class ConditionalRevalidationTest {

  private static final Pattern NOT_MODIFIED_CALLS =
    Pattern.compile("usergate_upstream_calls_total\\{outcome=\"not_modified\"} ([0-9.]+)");

  private InProcessService service;
  private FakeDirectory upstream;

  @BeforeEach
  void deploy() throws Exception {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs", "TRUNCATE user_changes");
    service = new InProcessService(Metrics.vertxBuilder(new VertxOptions()).build());
    upstream = new FakeDirectory().withEtags(true).deployOn(service.vertx);
    JsonObject config = TestConfig.cachingAgainst(upstream);
    // Every fetch written, even the same content again within a minute: the fetch time is what is checked.
    config.getJsonObject("upstream").put("writeThroughMinIntervalMs", 0);
    service.deploy(config);
  }

  @AfterEach
  void close() throws Exception {
    service.close();
  }

  /** Stores the directory's user {@code id} with its ETag, as if fetched {@code agoMs} ago (not in the node's cache). */
  private String storeWithEtag(long id, long agoMs) throws Exception {
    String etag = upstream.etagOf(FakeDirectory.user(id));
    Bus.call(service.vertx, StoreAddresses.UPSERT, new JsonObject().put("users", new JsonArray().add(FakeDirectory.user(id)))
      .put("etags", new JsonObject().put(Long.toString(id), etag)).put("fetchedAt", Instant.now().minusMillis(agoMs).toString()));
    return etag;
  }

  private static String row(long id) {
    return Sql.text("SELECT profile::text || ' ' || coalesce(upstream_etag, '-') FROM users WHERE id = '" + id + "'");
  }

  private static Instant fetchedAt(long id) {
    return Instant.parse(Sql.text("SELECT to_char(fetched_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM users WHERE id = '" + id + "'"));
  }

  private static long changes(long id) {
    return Sql.count("SELECT count(*) FROM user_changes WHERE user_id = '" + id + "'");
  }

  private double notModifiedCalls() throws Exception {
    Matcher counted = NOT_MODIFIED_CALLS.matcher(service.get("/metrics").bodyAsString());
    return counted.find() ? Double.parseDouble(counted.group(1)) : 0;
  }

  private void awaitFetchedAfter(long id, Instant before) {
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> fetchedAt(id).isAfter(before));
  }

  @Test
  @DisplayName("a caller's no-cache sends the directory's weak ETag as given; its 304 answers the copy, renews fetched_at alone (no change in the feed), counts not_modified, and its rate-limit headers are read")
  void noCacheRevalidates() throws Exception {
    HttpResponse<Buffer> first = service.get("/users/7");
    assertEquals(200, first.statusCode());
    String etag = upstream.etagOf(FakeDirectory.user(7));
    assertTrue(etag.startsWith("W/\""), "the directory's ETag is weak: " + etag);
    Sql.awaitCount("SELECT count(*) FROM users WHERE id = '7' AND upstream_etag = '" + etag.replace("'", "''") + "'", 1, 10_000);
    String stored = row(7);
    Instant before = fetchedAt(7);
    long changesBefore = changes(7);
    assertEquals(1, changesBefore, "created");

    List<String> mirrorReads = Bus.recordSent(service.vertx, List.of(StoreAddresses.GET_MANY, StoreAddresses.GET));
    HttpResponse<Buffer> revalidated = service.get("/users/7", "Cache-Control", "no-cache");
    assertEquals(200, revalidated.statusCode());
    assertEquals(List.of(), mirrorReads, "the node's copy carries the ETag: no mirror read for it");
    assertEquals("usergate; fwd=request; fwd-status=304", revalidated.getHeader("Cache-Status"));
    assertEquals("upstream", revalidated.getHeader("X-Usergate-Source"));
    assertEquals(FakeDirectory.user(7), revalidated.bodyAsJsonObject(), "the copy the 304 confirmed");
    assertEquals(List.of("", etag), upstream.ifNoneMatch(), "no ETag known at first, then the weak one exactly as the directory gave it");
    assertEquals(1, upstream.notModified());
    assertEquals(1, upstream.bodiesSent(), "the second answer had no body");

    awaitFetchedAfter(7, before);
    assertEquals(stored, row(7), "the same content and ETag: only fetched_at moved");
    assertEquals(changesBefore, changes(7), "a 304 is no change in the feed");
    assertEquals(1.0, notModifiedCalls());
    JsonObject budget = Bus.call(service.vertx, FetchAddresses.STATUS, new JsonObject()).getJsonObject("rateLimit").getJsonObject("user");
    assertTrue(budget.getLong("remaining") <= Long.parseLong(FakeDirectory.NOT_MODIFIED_REMAINING),
      "the 304's X-RateLimit-Remaining was read: " + budget);

    // The node's copy was renewed too: a plain request is a fresh hit now.
    assertEquals("usergate; hit", service.get("/users/7").getHeader("Cache-Status"));
    assertEquals(2, upstream.calls(7));
  }

  @Test
  @DisplayName("a user changed in the directory: the If-None-Match of the old ETag gets a 200, the new content and its new ETag are stored, and the feed says updated")
  void changedUserIsRefetched() throws Exception {
    service.get("/users/7");
    String oldEtag = upstream.etagOf(FakeDirectory.user(7));
    Sql.awaitCount("SELECT count(*) FROM users WHERE id = '7' AND upstream_etag IS NOT NULL", 1, 10_000);
    upstream.script(7, Behaviour.RENAMED, 0);

    HttpResponse<Buffer> refreshed = service.get("/users/7", "Cache-Control", "no-cache");
    assertEquals("usergate; fwd=request", refreshed.getHeader("Cache-Status"));
    assertEquals(FakeDirectory.renamed(7), refreshed.bodyAsJsonObject());
    assertEquals(oldEtag, upstream.ifNoneMatch().get(1));
    assertEquals(0, upstream.notModified());
    String newEtag = upstream.etagOf(FakeDirectory.renamed(7));
    Sql.awaitCount("SELECT count(*) FROM users WHERE id = '7' AND profile->>'name' = 'Renamed 7' AND upstream_etag = '"
      + newEtag.replace("'", "''") + "'", 1, 10_000);
    assertEquals(1, Sql.count("SELECT count(*) FROM user_changes WHERE user_id = '7' AND kind = 'updated'"));
    assertEquals(0.0, notModifiedCalls());
  }

  @Test
  @DisplayName("the sync's job for a stored user sends the mirror's ETag; the 304 completes the job and moves fetched_at alone")
  void syncJobRevalidates() throws Exception {
    String etag = storeWithEtag(8, 3_600_000);
    String stored = row(8);
    Instant before = fetchedAt(8);
    assertEquals(1, changes(8));

    Bus.call(service.vertx, StoreAddresses.JOBS_ENQUEUE, new JsonObject().put("ids", new JsonArray().add("8")));
    Sql.awaitCount("SELECT count(*) FROM sync_jobs WHERE user_id = '8' AND state = 'done'", 1, 10_000);
    assertEquals(List.of(etag), upstream.ifNoneMatch());
    assertEquals(1, upstream.notModified());
    assertEquals(0, upstream.bodiesSent());
    assertTrue(fetchedAt(8).isAfter(before.plusSeconds(3000)), "fresh as of the 304");
    assertEquals(stored, row(8));
    assertEquals(1, changes(8), "no change recorded");
    assertEquals(1.0, notModifiedCalls());
  }

  @Test
  @DisplayName("a stale copy answered while it is revalidated: the background refresh sends If-None-Match and its 304 renews the mirror's copy")
  void staleWhileRevalidate() throws Exception {
    String etag = storeWithEtag(9, 120_000);
    String stored = row(9);
    Instant before = fetchedAt(9);

    HttpResponse<Buffer> stale = service.get("/users/9");
    assertEquals("usergate; hit; detail=stale-while-revalidate", stale.getHeader("Cache-Status"));
    assertEquals(FakeDirectory.user(9), stale.bodyAsJsonObject());
    awaitFetchedAfter(9, before.plusSeconds(100));
    assertEquals(List.of(etag), upstream.ifNoneMatch());
    assertEquals(1, upstream.notModified());
    assertEquals(stored, row(9));
    assertEquals(1, changes(9));
    assertEquals("usergate; hit", service.get("/users/9").getHeader("Cache-Status"), "fresh again, in memory too");
  }

  @Test
  @DisplayName("the store renews only a row that still holds the ETag the directory confirmed; a write without an ETag of new content clears it, of the same content keeps it")
  void storeRenewsOnlyTheConfirmedContent() throws Exception {
    storeWithEtag(10, 60_000);
    Instant before = fetchedAt(10);
    Bus.call(service.vertx, StoreAddresses.UPSERT, new JsonObject().put("users", new JsonArray())
      .put("revalidated", new JsonObject().put("10", "\"another\"")));
    assertEquals(before, fetchedAt(10), "another ETag confirmed: not this row's content");

    Bus.call(service.vertx, StoreAddresses.UPSERT, new JsonObject().put("users", new JsonArray().add(FakeDirectory.user(10))));
    assertEquals(upstream.etagOf(FakeDirectory.user(10)), Sql.text("SELECT upstream_etag FROM users WHERE id = '10'"),
      "the same content (a page of the walk, say) keeps its ETag");
    Bus.call(service.vertx, StoreAddresses.UPSERT, new JsonObject().put("users", new JsonArray().add(FakeDirectory.renamed(10))));
    assertNull(Sql.text("SELECT upstream_etag FROM users WHERE id = '10'"), "new content without an ETag has none");

    JsonObject refused = Bus.failure(service.vertx, StoreAddresses.UPSERT, new JsonObject().put("users", new JsonArray())
      .put("etags", new JsonObject().put("10", "bad\ntag")), "BAD_REQUEST", 400);
    assertTrue(refused.toString().contains("etags"), refused.toString());
  }
}
