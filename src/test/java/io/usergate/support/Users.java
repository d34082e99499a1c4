package io.usergate.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Users for tests: the ten JSONPlaceholder users (a copy of shared/fixtures), and generated ones. */
public final class Users {

  private Users() {
  }

  /** The ten users the public JSONPlaceholder directory serves, as it serves them. */
  public static JsonArray jsonPlaceholder() {
    try (var in = Users.class.getResourceAsStream("/fixtures/jsonplaceholder-users.json")) {
      return new JsonArray(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static JsonObject generated(long id, String version) {
    return new JsonObject().put("id", id).put("name", "User " + id).put("username", "user" + id)
      .put("email", "user" + id + "@example.test").put("version", version)
      .put("address", new JsonObject().put("city", "City " + (id % 100)));
  }

  public static JsonArray range(long from, long toInclusive, String version) {
    JsonArray users = new JsonArray();
    for (long id = from; id <= toInclusive; id++) {
      users.add(generated(id, version));
    }
    return users;
  }
}
