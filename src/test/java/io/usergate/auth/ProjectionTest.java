package io.usergate.auth;

import io.usergate.config.Pointers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A caller's fields applied to a user, to a list or settled answer, and to the change feed. */
class ProjectionTest {

  private final Projection projection = new Projection(Pointers.list("/id,/name,/address/city,/tags"));

  private static JsonObject leanne() {
    return new JsonObject().put("id", "1").put("name", "Leanne Graham").put("email", "Sincere@april.biz")
      .put("address", new JsonObject().put("street", "Kulas Light").put("city", "Gwenborough"))
      .put("tags", new JsonArray().add("a")).put("phone", "1-770-736-8031");
  }

  @Test
  @DisplayName("a user keeps only the named pointers, nested objects recreated, the original untouched")
  void user() {
    JsonObject whole = leanne();
    JsonObject seen = projection.user(whole);
    assertEquals(new JsonObject().put("id", "1").put("name", "Leanne Graham")
      .put("address", new JsonObject().put("city", "Gwenborough")).put("tags", new JsonArray().add("a")), seen);
    assertEquals(leanne(), whole);
  }

  @Test
  @DisplayName("lists and settled answers project each user; errors and paging stay as they are")
  void answers() {
    JsonObject list = new JsonObject().put("users", new JsonArray().add(leanne())).put("next", "1");
    assertEquals(projection.user(leanne()), projection.answer(list).getJsonArray("users").getJsonObject(0));
    assertEquals("1", projection.answer(list).getString("next"));
    JsonObject error = new JsonObject().put("id", "2").put("error", new JsonObject().put("code", "NOT_FOUND"));
    JsonObject settled = new JsonObject().put("results", new JsonArray()
      .add(new JsonObject().put("id", "1").put("user", leanne())).add(error));
    JsonArray results = projection.answer(settled).getJsonArray("results");
    assertEquals(projection.user(leanne()), results.getJsonObject(0).getJsonObject("user"));
    assertEquals(error, results.getJsonObject(1));
  }

  @Test
  @DisplayName("a change names only the fields the caller may see; a change without names (created, removed) stays as it is")
  void changes() {
    JsonObject updated = new JsonObject().put("seq", 5).put("id", "1").put("kind", "updated")
      .put("fields", new JsonArray().add("email").add("name").add("address").add("phone"));
    JsonObject removed = new JsonObject().put("seq", 6).put("id", "1").put("kind", "removed").putNull("fields");
    JsonObject page = projection.changes(new JsonObject().put("changes", new JsonArray().add(updated).add(removed)).put("next", 6));
    assertEquals(new JsonArray().add("name").add("address"), page.getJsonArray("changes").getJsonObject(0).getJsonArray("fields"));
    assertEquals(removed, page.getJsonArray("changes").getJsonObject(1));
    assertEquals(6, page.getInteger("next"));
  }
}
