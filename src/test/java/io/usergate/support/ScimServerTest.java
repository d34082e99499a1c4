package io.usergate.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SCIM server the suite fronts (support/ScimServer), through its real HTTP API. */
@ExtendWith(VertxExtension.class)
class ScimServerTest {

  private final ScimServer scim = ScimServer.get();
  private WebClient client;

  @BeforeEach
  void seeded(Vertx vertx) {
    scim.reset();
    client = WebClient.create(vertx);
  }

  private HttpRequest<Buffer> get(String uri) {
    return client.requestAbs(HttpMethod.GET, scim.baseUrl() + uri).putHeader("Authorization", scim.authorization());
  }

  private Future<JsonObject> page(int startIndex, int count) {
    return get("/Users").addQueryParam("startIndex", String.valueOf(startIndex)).addQueryParam("count", String.valueOf(count))
      .send().map(HttpResponse::bodyAsJsonObject);
  }

  private Future<JsonObject> filtered(String filter, int count) {
    return get("/Users").addQueryParam("filter", filter).addQueryParam("count", String.valueOf(count))
      .send().map(HttpResponse::bodyAsJsonObject);
  }

  private static List<String> ids(JsonObject listResponse) {
    return listResponse.getJsonArray("Resources").stream().map(user -> ((JsonObject) user).getString("id")).toList();
  }

  /**
   * Pages of {@code count} from {@code startIndex} on, as a walker reads them: up to and with the first empty
   * page, or the first that starts past totalResults (so that a server that pages wrongly ends the walk too).
   */
  private Future<List<JsonObject>> walk(int startIndex, int count, List<JsonObject> pages) {
    return page(startIndex, count).compose(page -> {
      pages.add(page);
      int size = page.getJsonArray("Resources").size();
      return size == 0 || startIndex > page.getInteger("totalResults")
        ? Future.succeededFuture(pages)
        : walk(startIndex + size, count, pages);
    });
  }

  @Test
  @DisplayName("pages of 37 from startIndex 1 reach all 300 users once each, every page saying totalResults 300; "
    + "the page past the end is empty (not the first page again); a count over maxResults gets 200")
  void pagesReachEveryUser(VertxTestContext testContext) {
    walk(1, 37, new ArrayList<>())
      .compose(pages -> page(1, 1000).map(capped -> {
        testContext.verify(() -> {
          List<String> seen = new ArrayList<>();
          for (int i = 0; i < pages.size() - 1; i++) {
            JsonObject page = pages.get(i);
            assertEquals(ScimServer.SEEDED_USERS, page.getInteger("totalResults"), page.encode());
            assertEquals(1 + 37 * i, page.getInteger("startIndex"));
            seen.addAll(ids(page));
          }
          assertEquals(9, pages.size() - 1, "300 users in pages of 37");
          assertEquals(300 - 8 * 37, pages.get(8).getJsonArray("Resources").size());
          assertEquals(ScimServer.SEEDED_USERS, seen.size());
          assertEquals(ScimServer.SEEDED_USERS, new HashSet<>(seen).size(), "a user came twice");
          JsonObject pastTheEnd = pages.get(pages.size() - 1);
          assertEquals(301, pastTheEnd.getInteger("startIndex"));
          assertEquals(ScimServer.SEEDED_USERS, pastTheEnd.getInteger("totalResults"));
          assertEquals(List.of(), ids(pastTheEnd));
          assertEquals(ScimServer.MAX_RESULTS, capped.getJsonArray("Resources").size());
          assertEquals(ScimServer.MAX_RESULTS, capped.getInteger("itemsPerPage"));
        });
        return capped;
      }))
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("the filter id eq \"a\" or id eq \"b\" returns exactly those two; 100 ids joined with or return those 100 "
    + "when count is 100, and only the first 20 without a count")
  void filterByIdsReturnsExactlyThose(VertxTestContext testContext) {
    List<String> all = scim.allUsers().stream().map(user -> user.getString("id")).toList();
    String a = all.get(17);
    String b = all.get(242);
    List<String> hundred = all.subList(100, 200);
    String hundredFilter = hundred.stream().map(id -> "id eq \"" + id + "\"").collect(Collectors.joining(" or "));
    filtered("id eq \"" + a + "\" or id eq \"" + b + "\"", 10)
      .compose(two -> filtered(hundredFilter, 100).compose(withCount -> get("/Users").addQueryParam("filter", hundredFilter)
        .send().map(HttpResponse::bodyAsJsonObject).map(withoutCount -> {
          testContext.verify(() -> {
            assertEquals(Set.of(a, b), Set.copyOf(ids(two)), two.encode());
            assertEquals(2, two.getInteger("totalResults"));
            assertEquals(hundred, ids(withCount), "those 100, in the directory's order");
            assertEquals(100, withCount.getInteger("totalResults"));
            assertEquals(100, withoutCount.getInteger("totalResults"));
            assertEquals(hundred.subList(0, 20), ids(withoutCount), "SCIMMY's default count is 20");
          });
          return withoutCount;
        })))
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("a user read with its ETag (its meta.version) answers If-None-Match with 304 and no body; "
    + "after a PATCH the old ETag gets 200 and the new user, with a new ETag")
  void etagAnswers304UntilTheUserChanges(Vertx vertx, VertxTestContext testContext) {
    String id = scim.allUsers().get(5).getString("id");
    get("/Users/" + id).send().compose(first -> get("/Users/" + id).putHeader("If-None-Match", first.getHeader("ETag")).send()
      .compose(notModified -> {
        testContext.verify(() -> {
          assertEquals(200, first.statusCode());
          assertNotNull(first.getHeader("ETag"));
          assertEquals(first.bodyAsJsonObject().getJsonObject("meta").getString("version"), first.getHeader("ETag"));
          assertEquals(304, notModified.statusCode());
          assertNull(notModified.body(), "a 304 has no body");
        });
        // Blocking, but on a worker: the helper is the admin changing the user in the directory.
        return vertx.executeBlocking(() -> scim.replaceName(id, "Zoë", "Łęcka"))
          .compose(changed -> get("/Users/" + id).putHeader("If-None-Match", first.getHeader("ETag")).send()
            .map(after -> {
              testContext.verify(() -> {
                assertEquals(200, after.statusCode());
                assertNotEquals(first.getHeader("ETag"), after.getHeader("ETag"));
                assertEquals(changed.getJsonObject("meta").getString("version"), after.getHeader("ETag"));
                JsonObject name = after.bodyAsJsonObject().getJsonObject("name");
                assertEquals("Zoë", name.getString("givenName"));
                assertEquals("Łęcka", name.getString("familyName"));
              });
              return after;
            }));
      }))
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("meta.lastModified gt a time returns just the users changed after it: the seeded users later than a "
    + "seeded stamp, then only the two users patched after a third")
  void lastModifiedFilterReturnsTheUsersChangedAfter(VertxTestContext testContext) {
    List<JsonObject> seeded = scim.allUsers();
    // A stamp with about 100 seeded users after it, so that the answer fits in one page.
    List<Instant> stamps = seeded.stream().map(ScimServerTest::lastModified).sorted().toList();
    Instant seededStamp = stamps.get(stamps.size() - 101);
    Set<String> seededLater = seeded.stream().filter(user -> lastModified(user).isAfter(seededStamp))
      .map(user -> user.getString("id")).collect(Collectors.toSet());
    JsonObject first = scim.replaceName(seeded.get(10).getString("id"), "José", "García");
    String changedAt = first.getJsonObject("meta").getString("lastModified");
    String second = scim.replaceName(seeded.get(20).getString("id"), "李", "王").getString("id");
    String third = scim.replaceName(seeded.get(30).getString("id"), "Łukasz", "Wałęsa").getString("id");
    filtered("meta.lastModified gt \"" + changedAt + "\"", 200)
      .compose(changed -> filtered("meta.lastModified gt \"" + seededStamp + "\"", 200).map(sinceSeed -> {
        testContext.verify(() -> {
          assertEquals(Set.of(second, third), Set.copyOf(ids(changed)), changed.encode());
          Set<String> expected = new HashSet<>(seededLater);
          expected.addAll(List.of(first.getString("id"), second, third));
          assertTrue(seededLater.size() > 50, "a stamp with users after it: " + seededLater.size());
          assertEquals(expected.size(), sinceSeed.getInteger("totalResults"));
          assertEquals(expected, Set.copyOf(ids(sinceSeed)));
        });
        return sinceSeed;
      }))
      .onComplete(testContext.succeedingThenComplete());
  }

  private static Instant lastModified(JsonObject user) {
    return Instant.parse(user.getJsonObject("meta").getString("lastModified"));
  }

  @Test
  @DisplayName("a deleted user answers 404, and so does deleting it again; the list no longer holds it")
  void deletedUserIsGone(VertxTestContext testContext) {
    String id = scim.allUsers().get(99).getString("id");
    scim.deleteUser(id);
    get("/Users/" + id).send()
      .compose(read -> client.requestAbs(HttpMethod.DELETE, scim.baseUrl() + "/Users/" + id)
        .putHeader("Authorization", scim.authorization()).send()
        .compose(again -> page(1, ScimServer.MAX_RESULTS).compose(first -> page(201, ScimServer.MAX_RESULTS).map(second -> {
          testContext.verify(() -> {
            assertEquals(404, read.statusCode());
            assertEquals("404", read.bodyAsJsonObject().getString("status"));
            assertEquals(404, again.statusCode());
            assertEquals(ScimServer.SEEDED_USERS - 1, first.getInteger("totalResults"));
            List<String> listed = new ArrayList<>(ids(first));
            listed.addAll(ids(second));
            assertEquals(ScimServer.SEEDED_USERS - 1, listed.size());
            assertFalse(listed.contains(id), "the deleted user is still listed");
          });
          return second;
        }))))
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("without the bearer token, or with another one, a list and a user read answer 401 with a SCIM error")
  void noTokenIs401(VertxTestContext testContext) {
    String id = scim.allUsers().get(0).getString("id");
    client.requestAbs(HttpMethod.GET, scim.baseUrl() + "/Users").send()
      .compose(none -> client.requestAbs(HttpMethod.GET, scim.baseUrl() + "/Users/" + id)
        .putHeader("Authorization", "Bearer not-" + scim.token()).send()
        .map(wrong -> {
          testContext.verify(() -> {
            assertEquals(401, none.statusCode());
            assertEquals(401, wrong.statusCode());
            assertEquals(new JsonArray().add("urn:ietf:params:scim:api:messages:2.0:Error"),
              none.bodyAsJsonObject().getJsonArray("schemas"));
            assertFalse(wrong.bodyAsString().contains(id), "a refused read leaks the user");
          });
          return wrong;
        }))
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("names come back intact in UTF-8: the seed's Zoë, Łukasz, José and 李, and a user created with them; "
    + "most users have a displayName, some not; some users' primary email is not their first")
  void namesComeBackIntact(VertxTestContext testContext) {
    JsonObject created = scim.createUser(new JsonObject().put("userName", "zoe.li@example.test")
      .put("name", new JsonObject().put("givenName", "Zoë 李").put("familyName", "Łukasz-José"))
      .put("emails", new JsonArray().add(new JsonObject().put("value", "zoe.li@example.test").put("primary", true))));
    walk(1, ScimServer.MAX_RESULTS, new ArrayList<>()).compose(pages -> get("/Users/" + created.getString("id")).send()
      .map(read -> {
        testContext.verify(() -> {
          List<JsonObject> users = pages.stream().flatMap(page -> page.getJsonArray("Resources").stream())
            .map(JsonObject.class::cast).toList();
          assertEquals(ScimServer.SEEDED_USERS + 1, users.size());
          Set<String> givenNames = users.stream().map(user -> user.getJsonObject("name").getString("givenName")).collect(Collectors.toSet());
          assertTrue(givenNames.containsAll(Set.of("Zoë", "Łukasz", "José", "李")), givenNames.toString());
          long withDisplayName = users.stream().filter(user -> user.containsKey("displayName")).count();
          assertTrue(withDisplayName > users.size() / 2 && withDisplayName < users.size(), "displayName on " + withDisplayName);
          long primaryNotFirst = users.stream().filter(user -> {
            JsonArray emails = user.getJsonArray("emails");
            return emails.size() > 1 && !emails.getJsonObject(0).getBoolean("primary", false)
              && emails.getJsonObject(1).getBoolean("primary", false);
          }).count();
          assertTrue(primaryNotFirst > 0, "no user whose primary email is not the first");
          assertTrue(users.stream().anyMatch(user -> !user.getBoolean("active")), "no inactive user");
          JsonObject name = read.bodyAsJsonObject().getJsonObject("name");
          assertEquals("Zoë 李", name.getString("givenName"));
          assertEquals("Łukasz-José", name.getString("familyName"));
          assertEquals(read.bodyAsJsonObject().getJsonObject("meta").getString("created"),
            read.bodyAsJsonObject().getJsonObject("meta").getString("lastModified"));
        });
        return read;
      }))
      .onComplete(testContext.succeedingThenComplete());
  }
}
