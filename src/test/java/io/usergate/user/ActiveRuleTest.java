package io.usergate.user;

import io.usergate.config.Presets;
import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** mapping.active: whether the directory marks a user active, on each directory's own shape of it. */
class ActiveRuleTest {

  private static ActiveRule preset(String name) {
    return ActiveRule.parse((String) Presets.keys(name).get("mapping.active"));
  }

  @Test
  @DisplayName("SCIM's active, Keycloak's enabled and Graph's accountEnabled: false is inactive, true or nothing there is active")
  void booleanFlags() {
    for (Map.Entry<String, String> flag : Map.of("scim", "active", "keycloak", "enabled", "entra", "accountEnabled").entrySet()) {
      ActiveRule rule = preset(flag.getKey());
      String field = flag.getValue();
      assertFalse(rule.active(new JsonObject().put("id", "a").put(field, false)), flag.toString());
      assertTrue(rule.active(new JsonObject().put("id", "a").put(field, true)), flag.toString());
      assertTrue(rule.active(new JsonObject().put("id", "a")), "a directory that leaves the field out loses no user: " + flag);
    }
  }

  @Test
  @DisplayName("Okta's status: DEPROVISIONED is inactive; SUSPENDED, LOCKED_OUT and the others are active, unless the rule names them")
  void oktaStatus() {
    ActiveRule okta = preset("okta");
    assertEquals("/status!=DEPROVISIONED", okta.toString());
    assertFalse(okta.active(new JsonObject().put("status", "DEPROVISIONED")));
    for (String status : new String[] {"ACTIVE", "STAGED", "PROVISIONED", "RECOVERY", "LOCKED_OUT", "PASSWORD_EXPIRED", "SUSPENDED"}) {
      assertTrue(okta.active(new JsonObject().put("status", status)), status);
    }
    ActiveRule stricter = ActiveRule.parse("/status!=DEPROVISIONED, SUSPENDED");
    assertFalse(stricter.active(new JsonObject().put("status", "SUSPENDED")));
    assertFalse(stricter.active(new JsonObject().put("status", "DEPROVISIONED")));
    assertTrue(stricter.active(new JsonObject().put("status", "LOCKED_OUT")));
  }

  @Test
  @DisplayName("Auth0's blocked: true is inactive, false or nothing there is active (a boolean compared as its text)")
  void auth0Blocked() {
    ActiveRule auth0 = preset("auth0");
    assertFalse(auth0.active(new JsonObject().put("blocked", true)));
    assertTrue(auth0.active(new JsonObject().put("blocked", false)));
    assertTrue(auth0.active(new JsonObject()));
  }

  @Test
  @DisplayName("a nested pointer reads inside the user; an object or array there is active; the string \"false\" is inactive")
  void nestedAndOddValues() {
    ActiveRule nested = ActiveRule.parse("/profile/state!=gone");
    assertFalse(nested.active(new JsonObject().put("profile", new JsonObject().put("state", "gone"))));
    assertTrue(nested.active(new JsonObject().put("profile", new JsonObject().put("state", "here"))));
    assertTrue(nested.active(new JsonObject().put("profile", "gone")), "no object on the way: nothing there");
    ActiveRule flag = ActiveRule.parse("/active");
    assertTrue(flag.active(new JsonObject().put("active", new JsonObject())));
    assertFalse(flag.active(new JsonObject().put("active", "false")), "a directory that sends its boolean as text");
  }

  @Test
  @DisplayName("an empty rule is none; a rule that is not a pointer, or has an empty value, is refused saying why")
  void parse() {
    assertNull(ActiveRule.parse(null));
    assertNull(ActiveRule.parse("  "));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ActiveRule.parse("active")).getMessage()
      .contains("does not start with a JSON pointer"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ActiveRule.parse("/status!=")).getMessage()
      .contains("empty value"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ActiveRule.parse("/status!=A,,B")).getMessage()
      .contains("empty value"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ActiveRule.parse("/a~2b")).getMessage()
      .contains("not a JSON pointer"));
    for (String name : Presets.names()) {
      Object rule = Presets.keys(name).get("mapping.active");
      if (rule != null) {
        assertNotNull(ActiveRule.parse((String) rule), name);
      }
    }
    assertEquals(ActiveRule.Inactive.REMOVE, ActiveRule.Inactive.parse("remove"));
    assertEquals(ActiveRule.Inactive.KEEP, ActiveRule.Inactive.parse("keep"));
    assertThrows(IllegalArgumentException.class, () -> ActiveRule.Inactive.parse("delete"));
  }

  @Test
  @DisplayName("the 404 of an inactive user says why, and is told from a plain 404 also once it has crossed the event bus")
  void inactiveError() {
    UsergateException error = preset("okta").inactiveError("00u7");
    assertEquals(ErrorCode.NOT_FOUND, error.code());
    assertEquals("00u7", error.id());
    assertEquals("the directory marks user 00u7 inactive (mapping.active /status!=DEPROVISIONED), and sync.inactive is remove",
      error.getMessage());
    assertTrue(ActiveRule.isInactive(error));
    assertTrue(ActiveRule.isInactive(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 404, error.toJson().encode())));
    assertFalse(ActiveRule.isInactive(ErrorCode.NOT_FOUND.error("the upstream has no user 00u7", "00u7")));
    assertFalse(ActiveRule.isInactive(ErrorCode.UPSTREAM_ERROR.error("the directory marks user 1 inactive", "1")));
    assertFalse(ActiveRule.isInactive(null));
  }
}
