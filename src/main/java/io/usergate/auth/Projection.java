package io.usergate.auth;

import io.usergate.config.Pointers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a caller with {@code fields} sees of a user: only what its pointers name, the objects on the way
 * recreated (a pointer through an array keeps nothing there: name the array to see it whole). In the
 * change feed, the names of the top-level fields it cannot see are left out.
 */
public final class Projection {

  private final List<List<String>> paths;
  private final Set<String> topLevel = new HashSet<>();

  public Projection(List<JsonPointer> fields) {
    this.paths = fields.stream().map(Pointers::tokens).toList();
    paths.forEach(tokens -> topLevel.add(tokens.get(0)));
  }

  /** The user as the caller may see it: a new object, {@code user} untouched (the cache keeps whole users). */
  public JsonObject user(JsonObject user) {
    JsonObject seen = new JsonObject();
    for (List<String> tokens : paths) {
      Pointers.copyPath(user, tokens, seen);
    }
    return seen;
  }

  /** The users of a list ({@code users}) or of a settled answer ({@code results[].user}), projected; the rest as it is. */
  public JsonObject answer(JsonObject answer) {
    JsonObject projected = answer.copy();
    if (projected.getValue("users") instanceof JsonArray users) {
      projected.put("users", each(users));
    }
    if (projected.getValue("results") instanceof JsonArray results) {
      for (Object result : results) {
        if (result instanceof JsonObject entry && entry.getValue("user") instanceof JsonObject user) {
          entry.put("user", user(user));
        }
      }
    }
    return projected;
  }

  /** A change ({@code {"seq", "id", "kind", "fields", "at"}}) without the names of the fields the caller cannot see. */
  public JsonObject change(JsonObject change) {
    if (!(change.getValue("fields") instanceof JsonArray names)) {
      return change;
    }
    JsonArray visible = new JsonArray();
    names.forEach(name -> {
      if (topLevel.contains(name)) {
        visible.add(name);
      }
    });
    return change.copy().put("fields", visible);
  }

  /** A page of the change feed ({@code {"changes": [...], "next"}}), each change as {@link #change}. */
  public JsonObject changes(JsonObject page) {
    JsonObject projected = page.copy();
    if (projected.getValue("changes") instanceof JsonArray changes) {
      JsonArray each = new JsonArray();
      changes.forEach(change -> each.add(change instanceof JsonObject object ? change(object) : change));
      projected.put("changes", each);
    }
    return projected;
  }

  private JsonArray each(JsonArray users) {
    JsonArray projected = new JsonArray();
    users.forEach(user -> projected.add(user instanceof JsonObject object ? user(object) : user));
    return projected;
  }
}
