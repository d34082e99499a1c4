package io.usergate.fetch;

import io.usergate.config.Configuration;
import io.usergate.config.InvalidConfigException;
import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.usergate.user.ActiveRule;
import io.usergate.user.User;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Soft deletes where the mapping is applied: every path (one user, the bulk read, a page of the walk) sees the
 * same decision of mapping.active and sync.inactive.
 */
class SoftDeleteMappingTest {

  private static Mapping mapping(String mapping, String inactive) {
    return Mapping.from(Configuration.withOverrides(new JsonObject().put("mapping", new JsonObject(mapping))
      .put("sync", new JsonObject().put("inactive", inactive))));
  }

  private static final String OKTA = "{\"name\": \"{/profile/login}\", \"active\": \"/status!=DEPROVISIONED\", \"listPointer\": \"/users\"}";

  private static JsonObject okta(String id, String status) {
    return new JsonObject().put("id", id).put("status", status).put("profile", new JsonObject().put("login", id + "@example.test"));
  }

  @Test
  @DisplayName("keep: every user gets \"active\": true or false, the directory's own field kept as it came")
  void keepAddsTheField() {
    Mapping keep = mapping(OKTA, "keep");
    User gone = keep.one(okta("a", "DEPROVISIONED"), "a").user();
    assertEquals(false, gone.profile().getBoolean("active"));
    assertEquals("DEPROVISIONED", gone.profile().getString("status"));
    assertEquals(true, keep.one(okta("b", "SUSPENDED"), "b").user().profile().getBoolean("active"));
  }

  @Test
  @DisplayName("no mapping.active: no active field is added, the user stays as the directory sent it")
  void noRuleNoField() {
    JsonObject raw = new JsonObject().put("id", 1).put("name", "Ada").put("enabled", false);
    User user = Mapping.from(Configuration.defaults()).one(raw.copy(), "1").user();
    assertEquals(raw, user.profile());
  }

  @Test
  @DisplayName("the rule reads the directory's field before mapping.drop removes it; mapping.keep keeps active with the mapped fields")
  void beforeDropAndKept() {
    Mapping dropped = mapping("{\"active\": \"/accountEnabled\", \"drop\": \"/accountEnabled\"}", "keep");
    User user = dropped.one(new JsonObject().put("id", "g").put("name", "G").put("accountEnabled", false), "g").user();
    assertFalse(user.profile().containsKey("accountEnabled"));
    assertEquals(false, user.profile().getBoolean("active"));
    Mapping kept = mapping("{\"active\": \"/enabled\", \"keep\": \"/email\"}", "keep");
    User only = kept.one(new JsonObject().put("id", "k").put("name", "K").put("enabled", false).put("totp", true), "k").user();
    assertEquals(new JsonObject().put("id", "k").put("name", "K").put("active", false), only.profile());
  }

  @Test
  @DisplayName("remove: an inactive user is neither mapped nor validated, only its id is kept; one answer is a 404 that says why")
  void removeOne() {
    Mapping remove = mapping(OKTA, "remove");
    Mapping.Mapped mapped = remove.one(new JsonObject().put("id", "a").put("status", "DEPROVISIONED"), "a");
    assertTrue(mapped.inactive());
    assertNull(mapped.user());
    assertNull(mapped.problem(), "no name is no problem for a user that is not kept");
    assertEquals("a", mapped.id());
    Mapping.Mapped other = remove.one(new JsonObject().put("id", "b").put("status", "DEPROVISIONED"), "a");
    assertFalse(other.inactive(), "another id than the one asked is a problem, inactive or not");
    assertTrue(other.problem().contains("where a was asked for"), other.problem());

    UpstreamAnswers answers = new UpstreamAnswers(remove);
    UsergateException error = assertThrows(UsergateException.class,
      () -> answers.user("a", "GET /api/v1/users/a", 200, Buffer.buffer(okta("a", "DEPROVISIONED").encode())));
    assertEquals(ErrorCode.NOT_FOUND, error.code());
    assertEquals("a", error.id());
    assertEquals("the directory marks user a inactive (mapping.active /status!=DEPROVISIONED), and sync.inactive is remove",
      error.getMessage());
    assertEquals(true, answers.user("b", "GET /api/v1/users/b", 200, Buffer.buffer(okta("b", "ACTIVE").encode()))
      .profile().getBoolean("active"));
  }

  @Test
  @DisplayName("remove, in a bulk answer: the inactive id alone is a 404 saying why, listed twice alike it is no conflict")
  void removeInBulk() {
    UpstreamAnswers answers = new UpstreamAnswers(mapping(OKTA, "remove"));
    JsonObject body = new JsonObject().put("users", new JsonArray().add(okta("a", "ACTIVE")).add(okta("b", "DEPROVISIONED"))
      .add(okta("b", "DEPROVISIONED")));
    Map<String, Outcome<User>> outcomes = answers.users(List.of("a", "b", "c"), "GET /api/v1/users", 200, Buffer.buffer(body.encode()));
    assertInstanceOf(Outcome.Found.class, outcomes.get("a"));
    Throwable inactive = assertInstanceOf(Outcome.Failed.class, outcomes.get("b")).error();
    assertTrue(ActiveRule.isInactive(inactive), inactive.getMessage());
    Throwable absent = assertInstanceOf(Outcome.Failed.class, outcomes.get("c")).error();
    assertEquals(ErrorCode.NOT_FOUND, ((UsergateException) absent).code());
    assertFalse(ActiveRule.isInactive(absent), "an id the answer leaves out is absent, not inactive");
  }

  @Test
  @DisplayName("remove, in a page of the walk: the inactive are listed apart, neither users nor invalid entries")
  void removeInPage() {
    Mapping remove = mapping(OKTA, "remove");
    JsonObject body = new JsonObject().put("users", new JsonArray().add(okta("a", "ACTIVE")).add(okta("b", "DEPROVISIONED"))
      .add(new JsonObject().put("id", "c").put("status", "ACTIVE")));
    ListPage page = ListPage.of(body, null, 3, "GET /api/v1/users", remove);
    assertEquals(List.of("a"), page.users().stream().map(User::id).toList());
    assertEquals(List.of("b"), page.inactive());
    assertEquals(3, page.entries());
    assertEquals(1, page.invalid(), "only c, which has no name, is invalid: " + page.problems());
    assertEquals(new JsonArray().add("b"), page.toJson().getJsonArray("inactive"));
  }

  @Test
  @DisplayName("sync.inactive remove with no mapping.active is refused at start, naming the key; so is a rule that is none")
  void refusals() {
    String message = assertThrows(InvalidConfigException.class, () -> Configuration.withOverrides(new JsonObject()
      .put("sync", new JsonObject().put("inactive", "remove")))).getMessage();
    assertTrue(message.contains("sync.inactive") && message.contains("mapping.active"), message);
    String rule = assertThrows(InvalidConfigException.class, () -> Configuration.withOverrides(new JsonObject()
      .put("mapping", new JsonObject().put("active", "status!=DEPROVISIONED")))).getMessage();
    assertTrue(rule.contains("mapping.active"), rule);
    String mode = assertThrows(InvalidConfigException.class, () -> Configuration.withOverrides(new JsonObject()
      .put("sync", new JsonObject().put("inactive", "delete")))).getMessage();
    assertTrue(mode.contains("sync.inactive") && mode.contains("neither keep nor remove"), mode);
  }
}
