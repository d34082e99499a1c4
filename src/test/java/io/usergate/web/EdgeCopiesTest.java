package io.usergate.web;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class EdgeCopiesTest {

  private static final Buffer USER = Buffer.buffer("{\"id\":7,\"name\":\"Seven\"}");

  @Test
  @DisplayName("a copy is kept as the bytes answered, with its validator and Last-Modified made once")
  void keepsWhatWasAnswered() {
    EdgeCopies edge = new EdgeCopies(100, 60_000);
    Instant fetchedAt = Instant.parse("2026-12-02T06:00:00.123Z");
    edge.fill(7, EdgeCopies.of(USER, Instant.now().toString()), edge.stamp());
    edge.fill(8, EdgeCopies.of(USER, fetchedAt.toString()), edge.stamp());
    EdgeCopies.Copy copy = edge.get(7);
    assertNotNull(copy);
    assertEquals(USER, copy.encoded());
    assertEquals(CacheHeaders.etag(USER), copy.etag());
    assertNull(edge.get(8), "fetched long ago: it cannot be fresh for anyone, so it is not kept");
    Instant recent = Instant.now().minusSeconds(1);
    edge.fill(8, EdgeCopies.of(USER, recent.toString()), edge.stamp());
    assertEquals(recent.toString(), edge.get(8).fetchedAtText());
    assertEquals(CacheHeaders.lastModified(recent), edge.get(8).lastModified());
  }

  @Test
  @DisplayName("an answer without a fetch time that reads as an instant makes no copy")
  void noInstantNoCopy() {
    assertNull(EdgeCopies.parse(USER, null));
    assertNull(EdgeCopies.parse(USER, "yesterday"));
    assertNotNull(EdgeCopies.parse(USER, Instant.now().toString()));
  }

  @Test
  @DisplayName("a drop removes the copy, and an answer that left before a drop fills nothing")
  void dropsWin() {
    EdgeCopies edge = new EdgeCopies(100, 60_000);
    edge.fill(7, EdgeCopies.of(USER, Instant.now().toString()), edge.stamp());
    long before = edge.stamp();
    edge.drop(7);
    assertNull(edge.get(7));
    edge.fill(7, EdgeCopies.of(USER, Instant.now().toString()), before);
    assertNull(edge.get(7), "the answer may hold what the drop was about");
    edge.fill(7, EdgeCopies.of(USER, Instant.now().toString()), edge.stamp());
    assertNotNull(edge.get(7));
  }

  @Test
  @DisplayName("a drop of another user does not stop a fill; once too many drops are behind a request, its fill is refused")
  void dropsOfOthers() {
    EdgeCopies edge = new EdgeCopies(100, 60_000);
    long stamp = edge.stamp();
    edge.drop(8);
    edge.fill(7, EdgeCopies.of(USER, Instant.now().toString()), stamp);
    assertNotNull(edge.get(7), "user 8's drop says nothing about user 7");
    long old = edge.stamp();
    for (long id = 1_000; id < 1_000 + EdgeCopies.REMEMBERED_DROPS + 1; id++) {
      edge.drop(id);
    }
    edge.fill(9, EdgeCopies.of(USER, Instant.now().toString()), old);
    assertNull(edge.get(9), "drops since then were forgotten: it might have been one of them");
    edge.fill(9, EdgeCopies.of(USER, Instant.now().toString()), edge.stamp());
    assertNotNull(edge.get(9));
  }

  @Test
  @DisplayName("none with cache.hotUsers 0 or cache.freshForMs 0; bounded by cache.hotUsers")
  void bounded() {
    for (EdgeCopies none : new EdgeCopies[] {new EdgeCopies(0, 60_000), new EdgeCopies(100, 0)}) {
      none.fill(7, EdgeCopies.of(USER, Instant.now().toString()), none.stamp());
      assertNull(none.get(7));
    }
    EdgeCopies edge = new EdgeCopies(10, 60_000);
    for (long id = 1; id <= 100; id++) {
      edge.fill(id, EdgeCopies.of(USER, Instant.now().toString()), edge.stamp());
    }
    assertEquals(true, edge.size() <= 10, "size " + edge.size());
  }
}
