package io.usergate.fetch;

import io.usergate.config.Configuration;
import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.usergate.user.User;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** How a status and a body from the directory become a user, the bulk outcomes or a page, or the contract's error. */
class UpstreamAnswersTest {

  private static final String ONE = "GET /users/7";
  private static final String BULK = "GET /users{?id*}";
  private static final String PAGE = "GET /users?_start=0&_limit=3";

  private final UpstreamAnswers answers = new UpstreamAnswers(Mapping.from(Configuration.defaults()));

  private static Buffer body(String text) {
    return Buffer.buffer(text);
  }

  /** The contract's error {@code call} throws, whole: code, message and the id it names. */
  private static void assertError(ErrorCode code, String message, String id, Executable call) {
    UsergateException error = assertThrows(UsergateException.class, call);
    assertEquals(code, error.code());
    assertEquals(message, error.getMessage());
    assertEquals(id, error.id());
  }

  private static void assertFailed(ErrorCode code, String message, String id, Outcome<User> outcome) {
    UsergateException error = assertInstanceOf(UsergateException.class, assertInstanceOf(Outcome.Failed.class, outcome).error());
    assertEquals(code, error.code());
    assertEquals(message, error.getMessage());
    assertEquals(id, error.id());
  }

  private static User found(Outcome<User> outcome) {
    return (User) assertInstanceOf(Outcome.Found.class, outcome).value();
  }

  @Test
  @DisplayName("a 200 keeps the directory's ETag; a 304 is the copy whose ETag was sent, with the 304's ETag (else the one sent), body unread; a 304 to no If-None-Match is UPSTREAM_ERROR")
  void conditionalAnswers() {
    JsonObject ada = new JsonObject().put("id", 7).put("name", "Ada");
    Fetched whole = answers.fetched("7", ONE, 200, MultiMap.caseInsensitiveMultiMap().add("ETag", "W/\"1\""), body(ada.encode()), null);
    assertEquals(new Fetched(User.of(ada), "W/\"1\"", false), whole);
    assertNull(answers.fetched("7", ONE, 200, MultiMap.caseInsensitiveMultiMap().add("ETag", "bad\ntag"), body(ada.encode()), null).etag(),
      "an ETag the store would refuse is not kept");

    KnownCopies.Copy known = new KnownCopies.Copy(ada, Instant.EPOCH, FetchMessages.OneReply.STORE, "W/\"1\"");
    Fetched confirmed = answers.fetched("7", ONE, 304, MultiMap.caseInsensitiveMultiMap().add("ETag", "W/\"1\""), body("not JSON"), known);
    assertEquals(new Fetched(User.of(ada), "W/\"1\"", true), confirmed);
    assertEquals("W/\"1\"", answers.fetched("7", ONE, 304, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer(), known).etag());
    assertError(ErrorCode.UPSTREAM_ERROR, "upstream answered 304 to GET /users/7, which sent no If-None-Match", "7",
      () -> answers.fetched("7", ONE, 304, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer(), null));
  }

  @Test
  @DisplayName("a 200 with a valid user is that user, mapped")
  void oneUser() {
    User user = answers.user("7", ONE, 200, body("{\"id\":7,\"name\":\"Ada\",\"username\":\"ada\",\"email\":\"ada@example.org\"}"));
    assertEquals("7", user.id());
    assertEquals("Ada", user.name());
    assertEquals("ada", user.username());
    assertEquals("ada@example.org", user.email());
  }

  @Test
  @DisplayName("a 404 is NOT_FOUND for the id asked, whatever its body")
  void notFound() {
    assertError(ErrorCode.NOT_FOUND, "the upstream has no user 7", "7", () -> answers.user("7", ONE, 404, body("<html>gone</html>")));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(ints = {500, 502, 503, 429})
  @DisplayName("a 5xx or a 429 is worth retrying, for one user, the bulk endpoint and a page alike")
  void retryable(int status) {
    assertEquals(status, assertThrows(UpstreamAnswers.RetryableStatus.class, () -> answers.user("7", ONE, status, body("{}"))).status);
    assertEquals(status, assertThrows(UpstreamAnswers.RetryableStatus.class,
      () -> answers.users(List.of("1", "2"), BULK, status, body("[]"))).status);
    assertEquals(status, assertThrows(UpstreamAnswers.RetryableStatus.class,
      () -> answers.page(PAGE, 3, status, null, body("[]"))).status);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(ints = {401, 403})
  @DisplayName("a refusal of the credentials is UPSTREAM_ERROR naming the key that holds them, never their value")
  void credentials(int status) {
    assertError(ErrorCode.UPSTREAM_ERROR,
      "upstream answered " + status + " to GET /users/7 (check the credentials in upstream.headers)", "7",
      () -> answers.user("7", ONE, status, body("{}")));
    assertError(ErrorCode.UPSTREAM_ERROR,
      "upstream answered " + status + " to GET /users{?id*} for 2 ids (check the credentials in upstream.headers)", null,
      () -> answers.users(List.of("1", "2"), BULK, status, body("{}")));
  }

  @Test
  @DisplayName("another status than 200, 404, 5xx and 429 is UPSTREAM_ERROR, with no hint about credentials")
  void otherStatus() {
    assertError(ErrorCode.UPSTREAM_ERROR, "upstream answered 400 to GET /users/7", "7", () -> answers.user("7", ONE, 400, body("{}")));
  }

  @Test
  @DisplayName("a 200 whose body is not JSON is UPSTREAM_ERROR")
  void invalidJson() {
    assertError(ErrorCode.UPSTREAM_ERROR, "upstream answered GET /users/7 with invalid JSON", "7",
      () -> answers.user("7", ONE, 200, body("{\"id\":7,")));
  }

  @Test
  @DisplayName("a 200 whose body is not a valid user is UPSTREAM_ERROR saying why: no name, another id than asked")
  void invalidUser() {
    assertError(ErrorCode.UPSTREAM_ERROR,
      "upstream answered GET /users/7 with an invalid user: user 7 has no name (a non-empty string is required): mapping.name {/name} renders empty", "7",
      () -> answers.user("7", ONE, 200, body("{\"id\":7,\"name\":\"\"}")));
    assertError(ErrorCode.UPSTREAM_ERROR,
      "upstream answered GET /users/7 with an invalid user: the user has id 8 where 7 was asked for", "7",
      () -> answers.user("7", ONE, 200, body("{\"id\":8,\"name\":\"Bob\"}")));
  }

  @Test
  @DisplayName("bulk: each id asked gets its user, NOT_FOUND when the answer leaves it out")
  void bulkMissing() {
    Map<String, Outcome<User>> results = answers.users(List.of("3", "1", "2"), BULK, 200,
      body("[{\"id\":1,\"name\":\"One\"},{\"id\":3,\"name\":\"Three\"}]"));
    assertEquals(Set.of("3", "1", "2"), results.keySet());
    assertEquals("Three", found(results.get("3")).name());
    assertEquals("One", found(results.get("1")).name());
    assertFailed(ErrorCode.NOT_FOUND, "the upstream has no user 2", "2", results.get("2"));
  }

  @Test
  @DisplayName("bulk: a 404 is NOT_FOUND for every id asked")
  void bulkNotFound() {
    Map<String, Outcome<User>> results = answers.users(List.of("1", "2"), BULK, 404, body("not json"));
    assertFailed(ErrorCode.NOT_FOUND, "the upstream has no user 1", "1", results.get("1"));
    assertFailed(ErrorCode.NOT_FOUND, "the upstream has no user 2", "2", results.get("2"));
  }

  @Test
  @DisplayName("bulk: a user given twice, differently, is UPSTREAM_ERROR for that id alone; twice the same is that user")
  void bulkDuplicates() {
    Map<String, Outcome<User>> results = answers.users(List.of("1", "2"), BULK, 200, body(
      "[{\"id\":1,\"name\":\"One\"},{\"id\":2,\"name\":\"Two\"},{\"id\":1,\"name\":\"Uno\"},{\"id\":2,\"name\":\"Two\"}]"));
    assertFailed(ErrorCode.UPSTREAM_ERROR, "upstream answered GET /users{?id*} for 2 ids with user 1 twice, differently", "1",
      results.get("1"));
    assertEquals("Two", found(results.get("2")).name());
  }

  @Test
  @DisplayName("bulk: an entry nobody asked for, or with no id, is ignored; an invalid entry fails its id alone")
  void bulkUnasked() {
    Map<String, Outcome<User>> results = answers.users(List.of("1", "2"), BULK, 200,
      body("[{\"id\":9,\"name\":\"Nine\"},{\"name\":\"nobody\"},{\"id\":1,\"name\":\"One\"},{\"id\":2}]"));
    assertEquals(Set.of("1", "2"), results.keySet());
    assertEquals("One", found(results.get("1")).name());
    assertFailed(ErrorCode.UPSTREAM_ERROR,
      "upstream answered GET /users{?id*} for 2 ids with an invalid user 2: user 2 has no name (a non-empty string is required): mapping.name {/name} renders empty", "2",
      results.get("2"));
  }

  @Test
  @DisplayName("bulk: an answer that is not JSON, or not a list, fails the whole call, UPSTREAM_ERROR")
  void bulkNotAList() {
    assertError(ErrorCode.UPSTREAM_ERROR, "upstream answered GET /users{?id*} for 2 ids with invalid JSON", null,
      () -> answers.users(List.of("1", "2"), BULK, 200, body("[{")));
    assertError(ErrorCode.UPSTREAM_ERROR, "upstream answered GET /users{?id*} for 2 ids with an object of 2 fields, not an array of users", null,
      () -> answers.users(List.of("1", "2"), BULK, 200, body("{\"id\":1,\"name\":\"One\"}")));
  }

  @Test
  @DisplayName("list page: a 200 is its valid users, its entry count, its invalid entries and the directory's total")
  void page() {
    ListPage page = answers.page(PAGE, 3, 200, "41",
      body("[{\"id\":1,\"name\":\"One\"},{\"id\":2},{\"id\":3,\"name\":\"Three\"}]"));
    assertEquals(List.of("1", "3"), page.users().stream().map(User::id).toList());
    assertEquals(3, page.entries());
    assertEquals(List.of("entry 1: user 2 has no name (a non-empty string is required): mapping.name {/name} renders empty"), page.problems());
    assertEquals(41L, page.total());
    assertNull(answers.page(PAGE, 3, 200, null, body("[]")).total());
  }

  @Test
  @DisplayName("list page: another status than 200 (and not retryable) is UPSTREAM_ERROR naming sync.listPath")
  void pageStatus() {
    assertError(ErrorCode.UPSTREAM_ERROR, "upstream answered 404 to GET /users?_start=0&_limit=3 (sync.listPath)", null,
      () -> answers.page(PAGE, 3, 404, null, body("[]")));
  }

  @Test
  @DisplayName("list page: a body that is not JSON is UPSTREAM_ERROR")
  void pageInvalidJson() {
    assertError(ErrorCode.UPSTREAM_ERROR, "upstream answered GET /users?_start=0&_limit=3 with invalid JSON", null,
      () -> answers.page(PAGE, 3, 200, null, body("[{\"id\":1")));
  }
}
