package io.usergate.fetch;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HotCopiesTest {

  private static JsonObject user(long id, String name) {
    return new JsonObject().put("id", id).put("name", name);
  }

  @Test
  @DisplayName("the copy fetched last wins, whatever the order it is offered in")
  void newestWins() {
    HotCopies hot = new HotCopies(100, 60_000);
    Instant now = Instant.now();
    hot.offer(7, user(7, "new"), now);
    hot.offer(7, user(7, "old"), now.minusSeconds(5));
    assertEquals("new", hot.get(7).user().getString("name"));
    hot.offer(7, user(7, "newer"), now.plusMillis(1));
    assertEquals("newer", hot.get(7).user().getString("name"));
    hot.remove(7);
    assertNull(hot.get(7));
  }

  @Test
  @DisplayName("a copy fetched longer than keepMs ago is of no use to anyone and is not kept")
  void expiresFromItsFetch() {
    HotCopies hot = new HotCopies(100, 60_000);
    hot.offer(1, user(1, "old"), Instant.now().minusMillis(60_001));
    assertNull(hot.get(1));
    hot.offer(2, user(2, "young"), Instant.now().minusMillis(50_000));
    assertEquals("young", hot.get(2).user().getString("name"));
  }

  @Test
  @DisplayName("bounded by maxUsers; 0 keeps nothing")
  void bounded() {
    HotCopies hot = new HotCopies(100, 60_000);
    Instant now = Instant.now();
    for (long id = 1; id <= 1000; id++) {
      hot.offer(id, user(id, "u"), now);
    }
    assertTrue(hot.size() <= 100, "size " + hot.size());
    HotCopies none = new HotCopies(0, 60_000);
    none.offer(1, user(1, "u"), now);
    assertNull(none.get(1));
    assertEquals(0, none.size());
  }
}
