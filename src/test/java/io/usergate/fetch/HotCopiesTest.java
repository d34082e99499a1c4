package io.usergate.fetch;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HotCopiesTest {

  /** The ids HotCopies said were gone, in order. */
  private final List<Long> gone = new ArrayList<>();

  private static JsonObject user(long id, String name) {
    return new JsonObject().put("id", id).put("name", name);
  }

  @Test
  @DisplayName("the copy fetched last wins, whatever the order it is offered in")
  void newestWins() {
    HotCopies hot = new HotCopies(100, 60_000, gone::add);
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
  @DisplayName("a mirror read that left before the user's copy was removed does not bring back what it read; one that left after does, "
    + "and other users' removals do not stop it")
  void aReadOnItsWayDoesNotBringBackARemovedCopy() {
    HotCopies hot = new HotCopies(100, 60_000, gone::add);
    Instant now = Instant.now();
    hot.offer(7, user(7, "old"), now);
    long before = hot.stamp();
    hot.remove(7);
    hot.remove(9);
    hot.offer(7, user(7, "old"), now, before);
    assertNull(hot.get(7), "what the read found may be what the change replaced");
    hot.offer(9, user(9, "old"), now, before);
    assertNull(hot.get(9), "removed while no copy was held: still refused");
    hot.offer(8, user(8, "other"), now, before);
    assertEquals("other", hot.get(8).user().getString("name"));
    long after = hot.stamp();
    hot.offer(7, user(7, "new"), now.plusMillis(1), after);
    assertEquals("new", hot.get(7).user().getString("name"));
  }

  @Test
  @DisplayName("a copy fetched longer than keepMs ago is of no use to anyone and is not kept")
  void expiresFromItsFetch() {
    HotCopies hot = new HotCopies(100, 60_000, gone::add);
    hot.offer(1, user(1, "old"), Instant.now().minusMillis(60_001));
    assertNull(hot.get(1));
    hot.offer(2, user(2, "young"), Instant.now().minusMillis(50_000));
    assertEquals("young", hot.get(2).user().getString("name"));
  }

  @Test
  @DisplayName("bounded by maxUsers; 0 keeps nothing")
  void bounded() {
    HotCopies hot = new HotCopies(100, 60_000, gone::add);
    Instant now = Instant.now();
    for (long id = 1; id <= 1000; id++) {
      hot.offer(id, user(id, "u"), now);
    }
    assertTrue(hot.size() <= 100, "size " + hot.size());
    HotCopies none = new HotCopies(0, 60_000, gone::add);
    none.offer(1, user(1, "u"), now);
    assertNull(none.get(1));
    assertEquals(0, none.size());
  }

  @Test
  @DisplayName("tells of a copy removed, evicted or replaced by a different one; not of the same user fetched again, nor of an older offer")
  void tellsWhenACopyIsGone() {
    HotCopies hot = new HotCopies(100, 60_000, gone::add);
    Instant now = Instant.now();
    hot.offer(7, user(7, "a"), now);
    hot.offer(7, user(7, "a"), now.plusMillis(1));
    hot.offer(7, user(7, "older"), now.minusSeconds(1));
    assertEquals(List.of(), gone, "a new copy, the same one again, an older one refused: nothing a copy of it could miss");
    hot.offer(7, user(7, "b"), now.plusMillis(2));
    assertEquals(List.of(7L), gone);
    hot.remove(7);
    hot.remove(7);
    hot.remove(8);
    assertEquals(List.of(7L, 7L), gone, "removed once: told once; nothing to remove: nothing told");
    gone.clear();
    for (long id = 1; id <= 1000; id++) {
      hot.offer(id, user(id, "u"), now);
    }
    hot.size();
    assertTrue(gone.size() >= 900, "evicted for room: told, " + gone.size());
  }
}
