package io.usergate.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

class PointersTest {

  private static final JsonObject USER = new JsonObject()
    .put("id", 7)
    .put("address", new JsonObject().put("city", "Lyon").put("zip", "69001"))
    .put("roles", new JsonArray().add(new JsonObject().put("name", "admin")));

  @Test
  @DisplayName("copyPath recreates the objects on the way, merges paths that share them, and copies a whole array it names")
  void copyPathRecreatesAndMerges() {
    JsonObject target = new JsonObject();
    Pointers.copyPath(USER, Pointers.tokens(Pointers.pointer("/address/city")), target);
    Pointers.copyPath(USER, Pointers.tokens(Pointers.pointer("/id")), target);
    Pointers.copyPath(USER, Pointers.tokens(Pointers.pointer("/roles")), target);
    assertEquals(new JsonObject().put("address", new JsonObject().put("city", "Lyon")).put("id", 7)
      .put("roles", USER.getJsonArray("roles")), target);
    assertNotSame(USER.getJsonArray("roles"), target.getJsonArray("roles"), "a copy: the source stays untouched");
  }

  @Test
  @DisplayName("copyPath copies nothing for a path to nothing or one through an array")
  void copyPathNothing() {
    JsonObject target = new JsonObject();
    Pointers.copyPath(USER, List.of("address", "street"), target);
    Pointers.copyPath(USER, List.of("roles", "0", "name"), target);
    Pointers.copyPath(USER, List.of("missing"), target);
    assertEquals(new JsonObject().put("address", new JsonObject()), target,
      "the object on the way to a missing leaf is there, empty, as before");
  }
}
