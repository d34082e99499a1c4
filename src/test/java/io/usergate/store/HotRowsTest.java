package io.usergate.store;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HotRowsTest {

  private static JsonObject user(long id) {
    return new JsonObject().put("id", id).put("name", "User " + id).put("padding", "x".repeat(800));
  }

  @Test
  @DisplayName("a read keeps what it found, encoded once, unless a drop happened while it read")
  void fillUnlessDroppedMeanwhile() {
    HotRows hot = new HotRows(1_000_000);
    long stamp = hot.stamp();
    HotRows.Row row = hot.fill(7, user(7), Instant.now(), stamp);
    assertEquals(user(7).toBuffer(), row.encoded());
    assertNotNull(hot.get(7));
    long before = hot.stamp();
    hot.drop(8);  // any write, while the read of 9 was under way
    hot.fill(9, user(9), Instant.now(), before);
    assertNull(hot.get(9), "read before a write: not kept, it may be the old row");
    hot.dropAll(List.of(7L));
    assertNull(hot.get(7));
  }

  @Test
  @DisplayName("bounded by the bytes of the JSON held; 0 keeps nothing")
  void boundedByBytes() {
    HotRows hot = new HotRows(100_000);
    for (long id = 1; id <= 1000; id++) {
      hot.fill(id, user(id), Instant.now(), hot.stamp());
    }
    assertTrue(hot.bytes() <= 100_000, "weighted size " + hot.bytes());
    assertTrue(hot.size() < 1000 && hot.size() > 50, "size " + hot.size());
    HotRows none = new HotRows(0);
    none.fill(1, user(1), Instant.now(), none.stamp());
    assertNull(none.get(1));
  }
}
