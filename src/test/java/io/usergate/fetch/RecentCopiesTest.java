package io.usergate.fetch;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RecentCopiesTest {

  @Test
  @DisplayName("a copy is kept for keepMs after its fetch, then dropped; removed on a 404; bounded")
  void keeps() {
    RecentCopies recent = new RecentCopies(2000);
    Instant fetched = Instant.parse("2026-12-01T10:00:00Z");
    recent.put(7, new JsonObject().put("id", 7), fetched);
    assertEquals(7L, recent.get(7, fetched.plusMillis(2000)).user().getLong("id"));
    assertNull(recent.get(7, fetched.plusMillis(2001)));
    assertEquals(0, recent.size());
    recent.put(8, new JsonObject().put("id", 8), fetched);
    recent.remove(8);
    assertNull(recent.get(8, fetched));
    for (long id = 1; id <= RecentCopies.MAX_IDS + 5; id++) {
      recent.put(id, new JsonObject().put("id", id), fetched);
    }
    assertEquals(RecentCopies.MAX_IDS, recent.size());
    assertNull(recent.get(1, fetched));
  }
}
