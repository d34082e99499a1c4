package io.usergate.fetch;

import io.usergate.config.Configuration;
import io.usergate.config.InvalidConfigException;
import io.usergate.support.TestConfig;
import io.usergate.user.User;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** mapping.*: what the directory sends made into usergate's user, on real answers of each shape. */
class MappingTest {

  private static Mapping mapping(String overrides) {
    return Mapping.from(Configuration.withOverrides(new JsonObject().put("mapping", new JsonObject(overrides))));
  }

  private static Object fixture(String name) throws IOException {
    return Json.decodeValue(Files.readString(TestConfig.projectDir().resolve("src/test/resources/fixtures/" + name)));
  }

  /** The configuration of an example of conf/examples, resolved as the launcher resolves {@code -conf FILE}. */
  private static JsonObject example(String name) {
    return Configuration.load(new Configuration.Sources("conf/examples/" + name, TestConfig.projectDir(), Map.of(), Map.of())).config();
  }

  private static String refusal(String overrides) {
    return assertThrows(InvalidConfigException.class,
      () -> Configuration.withOverrides(new JsonObject().put("mapping", new JsonObject(overrides)))).getMessage();
  }

  @Test
  @DisplayName("the default mapping leaves each JSONPlaceholder user exactly as it came, field order included")
  void defaultIsIdentity() throws IOException {
    Mapping identity = Mapping.from(Configuration.defaults());
    JsonArray users = (JsonArray) fixture("jsonplaceholder-users.json");
    for (Object entry : users) {
      JsonObject user = (JsonObject) entry;
      String before = user.encode();
      Mapping.Mapped mapped = identity.one(user.copy(), String.valueOf(user.getValue("id")));
      assertNull(mapped.problem());
      assertEquals(before, mapped.user().profile().encode());
      assertEquals(user.getString("username"), mapped.user().username());
    }
    assertEquals(10, identity.users(users.copy()).stream().filter(mapped -> mapped.user() != null).count());
  }

  @Test
  @DisplayName("a template renders its pointers with the text between them, a missing field as empty, trimmed")
  void templates() {
    Mapping mapping = mapping("{\"name\": \"{/firstName} {/lastName}\", \"username\": \"{/login/name}\","
      + " \"email\": \"{/handle}@{/domain}\"}");
    JsonObject raw = new JsonObject().put("id", 7).put("firstName", "Ada").put("lastName", "Lovelace")
      .put("login", new JsonObject().put("name", "ada")).put("handle", "ada").put("domain", "example.test");
    User user = mapping.one(raw, "7").user();
    assertEquals("Ada Lovelace", user.name());
    assertEquals("ada", user.username());
    assertEquals("ada@example.test", user.email());
    assertEquals("Ada Lovelace", user.profile().getString("name"), "the served name is the mapped one");
    assertEquals("Ada", user.profile().getString("firstName"), "the other fields are kept as they came");
    // No last name: "Grace " trimmed; a number renders as text inside a template.
    User grace = mapping.one(new JsonObject().put("id", "8").put("firstName", "Grace").put("handle", 8).put("domain", "x.test"), "8").user();
    assertEquals("Grace", grace.name());
    assertEquals("8@x.test", grace.email());
    assertNull(grace.username(), "no mapped username: none");
  }

  @Test
  @DisplayName("a name that renders empty is a problem naming the template; a wrong or missing id names mapping.id")
  void problems() {
    Mapping mapping = mapping("{\"name\": \"{/firstName} {/lastName}\", \"id\": \"/userId\"}");
    String noName = mapping.one(new JsonObject().put("userId", "7").put("firstName", " "), "7").problem();
    assertEquals("user 7 has no name (a non-empty string is required): mapping.name {/firstName} {/lastName} renders empty", noName);
    String wrongId = mapping.one(new JsonObject().put("userId", "8").put("firstName", "A"), "7").problem();
    assertEquals("the user has id 8 where 7 was asked for (mapping.id /userId)", wrongId);
    String noId = mapping.one(new JsonObject().put("id", "7").put("firstName", "A"), "7").problem();
    assertTrue(noId.contains("not nothing (mapping.id /userId)"), noId);
    // What the directory sent is described by its shape, never its content (it may hold dropped fields).
    String notAnObject = mapping.one(new JsonArray().add("secret-in-an-array"), "7").problem();
    assertEquals("a user must be a JSON object, not an array of 1", notAnObject);
  }

  @Test
  @DisplayName("an enveloped answer: the user at mapping.userPointer; nothing there is a problem naming the pointer")
  void envelopes() throws IOException {
    Mapping reqres = Mapping.from(example("reqres.json"));
    Mapping.Mapped janet = reqres.one(fixture("reqres-user.json"), "2");
    assertNull(janet.problem());
    assertEquals("Janet Weaver", janet.user().name());
    assertEquals("janet.weaver@reqres.example", janet.user().email());
    assertNull(janet.user().username(), "mapping.username is empty in the example: not mapped");
    assertFalse(janet.user().profile().containsKey("support"), "the envelope is not the user");
    assertEquals("there is nothing at mapping.userPointer /data in an object of 1 field",
      reqres.one(new JsonObject().put("user", new JsonObject()), "2").problem());
  }

  @Test
  @DisplayName("a list answer: the users at mapping.listPointer, each mapped and dropped; no array there is NotAList")
  void lists() throws IOException {
    Mapping dummy = Mapping.from(example("dummyjson.json"));
    List<Mapping.Mapped> users = dummy.users(fixture("dummyjson-users-page.json"));
    assertEquals(List.of("1", "2"), users.stream().map(Mapping.Mapped::id).toList());
    assertEquals("Michael Williams", users.get(1).user().name());
    for (Mapping.Mapped user : users) {
      for (String dropped : List.of("password", "ssn", "bank", "crypto")) {
        assertFalse(user.user().profile().containsKey(dropped), dropped);
      }
    }
    Mapping.NotAList notAList = assertThrows(Mapping.NotAList.class,
      () -> dummy.users(new JsonObject().put("users", new JsonObject().put("password", "x"))));
    assertEquals("an object of 1 field at mapping.listPointer /users, not an array of users", notAList.getMessage());
    assertThrows(Mapping.NotAList.class, () -> dummy.users(new JsonArray()), "the array is at /users, not the answer");
    // An entry that is not a user is one problem among good users.
    List<Mapping.Mapped> mixed = dummy.users(new JsonObject().put("users", new JsonArray().add("x")
      .add(new JsonObject().put("id", 3).put("firstName", "C"))));
    assertNotNull(mixed.get(0).problem());
    assertEquals("C", mixed.get(1).user().name());
  }

  @Test
  @DisplayName("a DummyJSON user: the name from firstName/lastName; password, ssn, bank, crypto dropped; the rest as it came")
  void dummyJsonUser() throws IOException {
    JsonObject raw = (JsonObject) fixture("dummyjson-user.json");
    User user = Mapping.from(example("dummyjson.json")).one(raw.copy(), "1").user();
    assertEquals("Emily Johnson", user.name());
    assertEquals("emilys", user.username());
    String stored = user.profile().encode();
    for (String secret : List.of("fixture-secret-emilyspass", "900-590-289", "9289760655481815", "0xb9fc2fe63b2a6c003f1c324c3bfa53259162181a")) {
      assertFalse(stored.contains(secret), secret);
    }
    assertEquals(raw.getJsonObject("address"), user.profile().getJsonObject("address"));
    assertEquals("Emily", user.profile().getString("firstName"));
  }

  @Test
  @DisplayName("drop takes nested pointers and array elements, and a field that is not there is no problem")
  void dropNested() {
    Mapping mapping = mapping("{\"drop\": \"/bank/cardNumber, /tags/0,/a~1b,/absent/deeper\"}");
    JsonObject raw = new JsonObject().put("id", 1).put("name", "N")
      .put("bank", new JsonObject().put("cardNumber", "4111").put("currency", "EUR"))
      .put("tags", new JsonArray().add("secret").add("kept")).put("a/b", "slash");
    JsonObject user = mapping.one(raw, "1").user().profile();
    assertEquals(new JsonObject().put("currency", "EUR"), user.getJsonObject("bank"));
    assertEquals(new JsonArray().add("kept"), user.getJsonArray("tags"));
    assertFalse(user.containsKey("a/b"));
  }

  @Test
  @DisplayName("keep: only the listed pointers (nested ones with their objects) and the mapped id, name, username, email")
  void keep() {
    Mapping mapping = mapping("{\"name\": \"{/firstName} {/lastName}\", \"keep\": \"/address/city,/company\"}");
    JsonObject raw = new JsonObject().put("id", 4).put("firstName", "Eve").put("lastName", "Holt").put("email", "e@x.test")
      .put("password", "p").put("address", new JsonObject().put("city", "Austin").put("street", "1 Main"))
      .put("company", new JsonObject().put("name", "Holt Inc"));
    JsonObject user = mapping.one(raw, "4").user().profile();
    assertEquals(new JsonObject().put("id", 4).put("name", "Eve Holt").put("email", "e@x.test")
      .put("address", new JsonObject().put("city", "Austin")).put("company", new JsonObject().put("name", "Holt Inc")), user);
  }

  @Test
  @DisplayName("a pointer or template that does not parse, drop with keep, dropping id or name: refused at start, naming the key")
  void badConfigurationIsRefused() {
    assertTrue(refusal("{\"name\": \"{/firstName\"}").startsWith("invalid configuration: mapping.name \"{/firstName\" has a { with no }"));
    assertTrue(refusal("{\"name\": \"Anonymous\"}").contains("mapping.name \"Anonymous\" names no field"));
    assertTrue(refusal("{\"email\": \"{}@x\"}").contains("mapping.email \"{}@x\" has an empty {}"));
    assertTrue(refusal("{\"id\": \"id\"}").contains("mapping.id \"id\" is not a JSON pointer: it must start with /"));
    assertTrue(refusal("{\"userPointer\": \"/data~2\"}").contains("mapping.userPointer \"/data~2\" is not a JSON pointer"));
    assertTrue(refusal("{\"drop\": \"/password,,/ssn\"}").contains("mapping.drop \"/password,,/ssn\" holds an empty entry"));
    assertTrue(refusal("{\"drop\": \"/ssn\", \"keep\": \"/id\"}").contains("mapping.keep and mapping.drop"));
    assertTrue(refusal("{\"drop\": \"/password,/name\"}").contains("mapping.drop drops /name"));
    assertTrue(refusal("{\"id\": \"\"}").contains("mapping.id is empty"));
    // Also from the environment, naming the variable; and where the fetch verticle reads a configuration built by hand.
    String fromEnvironment = assertThrows(InvalidConfigException.class, () -> Configuration.load(new Configuration.Sources(null, null,
      Map.of("USERGATE_MAPPING_NAME", "{/first} {/last"), Map.of()))).getMessage();
    assertTrue(fromEnvironment.contains("mapping.name") && fromEnvironment.contains("USERGATE_MAPPING_NAME"), fromEnvironment);
    JsonObject byHand = Configuration.defaults();
    byHand.getJsonObject("mapping").put("listPointer", "users");
    String atStart = assertThrows(InvalidConfigException.class, () -> Mapping.from(byHand)).getMessage();
    assertTrue(atStart.contains("mapping.listPointer \"users\" is not a JSON pointer"), atStart);
  }

  @Test
  @DisplayName("every example of conf/examples resolves")
  void examplesResolve() throws IOException {
    try (var files = Files.list(TestConfig.projectDir().resolve("conf/examples"))) {
      for (Path file : files.toList()) {
        assertNotNull(Mapping.from(example(file.getFileName().toString())), file.toString());
      }
    }
  }
}
