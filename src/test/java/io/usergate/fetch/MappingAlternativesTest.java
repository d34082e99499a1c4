package io.usergate.fetch;

import io.usergate.config.Configuration;
import io.usergate.config.InvalidConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Templates with alternatives ({@code ||}) and placeholders that select in an array ({@code [field=value]}). */
class MappingAlternativesTest {

  /** The SCIM preset's mapping of the name and the email. */
  private static final JsonObject SCIM = new JsonObject()
    .put("name", "{/displayName}||{/name/formatted}||{/name/givenName} {/name/familyName}||{/userName}")
    .put("username", "{/userName}")
    .put("email", "{/emails[primary=true]/value}||{/emails/0/value}");

  private static Mapping mapping(JsonObject keys) {
    return Mapping.from(Configuration.withOverrides(new JsonObject().put("mapping", keys)));
  }

  private static JsonObject mapped(JsonObject keys, JsonObject user) {
    Mapping.Mapped mapped = mapping(keys).one(user, user.getString("id"));
    assertNull(mapped.problem(), mapped.problem());
    return mapped.user().profile();
  }

  private static JsonObject scimUser() {
    return new JsonObject().put("id", "2819c223-7f76-453a-919d-413861904646").put("userName", "bjensen")
      .put("name", new JsonObject().put("givenName", "Barbara").put("familyName", "Jensen").put("formatted", "Ms. Barbara J Jensen"))
      .put("displayName", "Babs Jensen")
      .put("emails", new JsonArray()
        .add(new JsonObject().put("value", "babs@jensen.org").put("type", "home"))
        .add(new JsonObject().put("value", "bjensen@example.com").put("type", "work").put("primary", true)));
  }

  @Test
  @DisplayName("the first alternative that renders something wins: displayName, else formatted, else given + family, else userName")
  void firstAlternativeThatRenders() {
    assertEquals("Babs Jensen", mapped(SCIM, scimUser()).getString("name"));
    JsonObject noDisplay = scimUser();
    noDisplay.remove("displayName");
    assertEquals("Ms. Barbara J Jensen", mapped(SCIM, noDisplay).getString("name"));
    JsonObject emptyDisplay = scimUser().put("displayName", "");
    emptyDisplay.getJsonObject("name").remove("formatted");
    assertEquals("Barbara Jensen", mapped(SCIM, emptyDisplay).getString("name"), "an empty string gives the next alternative its turn");
    JsonObject bare = new JsonObject().put("id", "a").put("userName", "bjensen");
    assertEquals("bjensen", mapped(SCIM, bare).getString("name"));
  }

  @Test
  @DisplayName("[primary=true] selects the first array element whose field reads so, wherever it sits; else the fallback takes the first")
  void selectsInAnArray() {
    assertEquals("bjensen@example.com", mapped(SCIM, scimUser()).getString("email"), "the primary one, second in the array");
    JsonObject stringPrimary = scimUser();
    stringPrimary.getJsonArray("emails").getJsonObject(1).put("primary", "true");
    assertEquals("bjensen@example.com", mapped(SCIM, stringPrimary).getString("email"), "\"true\" as text matches too");
    JsonObject noPrimary = scimUser();
    noPrimary.getJsonArray("emails").getJsonObject(1).remove("primary");
    assertEquals("babs@jensen.org", mapped(SCIM, noPrimary).getString("email"));
    JsonObject noEmails = scimUser();
    noEmails.remove("emails");
    assertFalse(mapped(SCIM, noEmails).containsKey("email"), "nothing to map leaves the field as it came (absent)");
    JsonObject notAnArray = scimUser().put("emails", "bjensen@example.com");
    assertFalse(mapped(SCIM, notAnArray).containsKey("email"), "a selection in what is no array selects nothing");
  }

  @Test
  @DisplayName("a selection works inside a template with text, and on numbers: {/phones[type=work]/value} ext. {/ext[n=2]/v}")
  void selectionInsideText() {
    JsonObject keys = new JsonObject().put("name", "{/first} ({/phones[type=work]/value}, {/ext[n=2]/v})");
    JsonObject user = new JsonObject().put("id", "x").put("first", "Ada")
      .put("phones", new JsonArray().add(new JsonObject().put("type", "home").put("value", "1")).add(new JsonObject().put("type", "work").put("value", "2")))
      .put("ext", new JsonArray().add(new JsonObject().put("n", 1).put("v", "one")).add(new JsonObject().put("n", 2).put("v", "two")));
    assertEquals("Ada (2, two)", mapped(keys, user).getString("name"));
  }

  @Test
  @DisplayName("a template with one alternative behaves as before: a single placeholder takes the string as it is, empty included")
  void oneAlternativeUnchanged() {
    Mapping.Mapped mapped = mapping(new JsonObject()).one(new JsonObject().put("id", "7").put("name", ""), "7");
    assertTrue(mapped.problem().contains("mapping.name {/name} renders empty"), mapped.problem());
  }

  @Test
  @DisplayName("an empty alternative, or one with no placeholder, is refused naming the key")
  void refusals() {
    for (String bad : new String[] {"{/displayName}||", "{/displayName}||Nobody", "||{/a}"}) {
      String message = assertThrows(InvalidConfigException.class,
        () -> Configuration.withOverrides(new JsonObject().put("mapping", new JsonObject().put("name", bad)))).getMessage();
      assertTrue(message.contains("mapping.name"), message);
    }
  }

  @Test
  @DisplayName("a SCIM answer with no results may leave Resources out (RFC 7644 3.4.2): none found, not a broken answer")
  void scimEmptyListResponse() {
    Mapping scim = mapping(SCIM.copy().put("listPointer", "/Resources"));
    JsonObject empty = new JsonObject().put("schemas", new JsonArray().add("urn:ietf:params:scim:api:messages:2.0:ListResponse"))
      .put("totalResults", 0).put("itemsPerPage", 0).put("startIndex", 1);
    assertEquals(0, scim.users(empty).size());
    JsonObject broken = empty.copy().put("totalResults", 3);
    assertThrows(Mapping.NotAList.class, () -> scim.users(broken), "results said, none there: the answer is wrong");
  }
}
