package io.usergate.cache;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class UserCacheTest {

  private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

  /** A fresh cache for each test, large enough to keep all it is offered. */
  private final UserCache cache = new UserCache(1 << 20);

  private static JsonObject user(long id, String name) {
    return new JsonObject().put("id", id).put("name", name).put("email", name.toLowerCase() + "@example.test");
  }

  @Test
  @DisplayName("a user is kept as the bytes served, with its fetch time, ETag and Last-Modified made once")
  void keptAsServed() {
    JsonObject ada = user(1, "Ada");
    cache.offer("1", ada, T0);
    UserCache.Cached cached = cache.get("1");
    assertEquals(ada.encode(), cached.encoded().toString());
    assertEquals(ada, cached.user());
    assertEquals(T0, cached.fetchedAt());
    assertEquals("2026-12-06T10:00:00Z", cached.fetchedAtText());
    assertEquals(Validators.etag(ada.toBuffer()), cached.etag());
    assertEquals("Sun, 6 Dec 2026 10:00:00 GMT", cached.lastModified());
    assertEquals(ada.hashCode(), cached.contentHash());
    assertSame(cached, cache.get("1"), "made once, not per read");
  }

  @Test
  @DisplayName("the copy fetched last wins, whatever the order it is offered in")
  void lastFetchedWins() {
    cache.offer("1", user(1, "New"), T0.plusSeconds(5));
    cache.offer("1", user(1, "Old"), T0);
    assertEquals("New", cache.get("1").user().getString("name"));
    cache.offer("1", user(1, "Newer"), T0.plusSeconds(9));
    assertEquals("Newer", cache.get("1").user().getString("name"));
  }

  @Test
  @DisplayName("a read that left before its user was dropped does not bring back what it read; one of another user, or one that left after, does")
  void aReadNeverPutsBackWhatADropTookAway() {
    long before = cache.stamp();
    cache.drop("1");
    cache.offer("1", user(1, "Stale"), T0, before);
    assertNull(cache.get("1"), "dropped while the read was on its way");
    cache.offer("2", user(2, "Other"), T0, before);
    assertNotNull(cache.get("2"), "the drop of another user does not stop it");
    long after = cache.stamp();
    cache.offer("1", user(1, "Fresh"), T0, after);
    assertEquals("Fresh", cache.get("1").user().getString("name"));
  }

  @Test
  @DisplayName("a change drops the copy unless it holds exactly what the change wrote; a removal always drops it, and a read on its way is refused")
  void changes() {
    JsonObject ada = user(1, "Ada");
    cache.offer("1", ada, T0);
    // The same content, its keys in another order (as PostgreSQL's jsonb gives them back): the same hash.
    JsonObject reordered = new JsonObject().put("email", "ada@example.test").put("name", "Ada").put("id", 1L);
    cache.changed("1", false, reordered.hashCode());
    assertNotNull(cache.get("1"), "its own write-through's change: kept");
    cache.changed("1", false, user(1, "Eve").hashCode());
    assertNull(cache.get("1"), "another content: dropped");

    cache.offer("1", ada, T0);
    cache.changed("1", false, null);
    assertNull(cache.get("1"), "a change of unknown content: dropped");

    // A write-through of an older fetch, its change after a newer fetch: the newer copy stays.
    cache.offer("1", ada, T0);
    cache.offer("1", user(1, "Ada Renamed"), T0.plusSeconds(1));
    cache.changed("1", false, ada.hashCode());
    assertEquals("Ada Renamed", cache.get("1").user().getString("name"), "the content written is one this copy replaced");

    cache.offer("1", ada, T0.plusSeconds(2));
    long reading = cache.stamp();
    cache.changed("1", true, ada.hashCode());
    assertNull(cache.get("1"), "removed");
    cache.offer("1", ada, T0, reading);
    assertNull(cache.get("1"), "a read that left before the removal does not bring it back");
  }

  @Test
  @DisplayName("a change as published is acted on once per seq, whichever verticle of the node hands it over first; a body of another shape is ignored")
  void oncePerSeq() {
    cache.offer("1", user(1, "Ada"), T0);
    JsonObject change = new JsonObject().put("seq", 41L).put("id", 1L).put("kind", "updated").put("contentHash", 7);
    cache.changed(change);
    assertNull(cache.get("1"), "another content: dropped");
    cache.offer("1", user(1, "Ada"), T0.plusSeconds(1));
    cache.changed(change.copy());
    assertNotNull(cache.get("1"), "the same change from another verticle: already acted on");
    cache.changed("not a change");
    cache.changed(new JsonObject().put("id", new JsonObject()).put("seq", 42L));
    assertNotNull(cache.get("1"));
    cache.changed(new JsonObject().put("seq", 43L).put("id", 1).put("kind", "removed"));
    assertNull(cache.get("1"), "a removal");
  }

  @Test
  @DisplayName("bounded by the bytes of the JSON held, the least used going first; 0 keeps nothing")
  void boundedByBytes() {
    UserCache bounded = new UserCache(100 * (UserCache.ENTRY_OVERHEAD + 200));
    for (long id = 1; id <= 1000; id++) {
      bounded.offer(Long.toString(id), user(id, "x".repeat(150)), T0);
    }
    assertTrue(bounded.bytes() <= bounded.maxBytes(), bounded.bytes() + " bytes held, more than " + bounded.maxBytes());
    assertTrue(bounded.size() > 50 && bounded.size() <= 100, bounded.size() + " users held");

    UserCache off = new UserCache(0);
    off.offer("1", user(1, "Ada"), T0);
    assertNull(off.get("1"));
    assertEquals(0, off.size());
  }

  @Test
  @DisplayName("one cache per Vert.x, shared by every verticle that asks for it; another Vert.x (another node) has its own")
  void onePerNode(Vertx vertx) throws Exception {
    CacheSettings settings = new CacheSettings(60_000, 0, 60_000, 1 << 20);
    UserCache first = UserCache.of(vertx, settings);
    assertSame(first, UserCache.of(vertx, settings));
    Vertx other = Vertx.vertx();
    try {
      assertNotSame(first, UserCache.of(other, settings));
    } finally {
      other.close().await();
    }
  }
}
