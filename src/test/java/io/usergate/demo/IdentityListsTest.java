package io.usergate.demo;

import io.usergate.support.Stack;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URLEncoder;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The production shapes' lists, followed as their documentation says, to the end: what a walk of each will meet.
 * Also their credentials: a call without one, or with an expired token, is 401.
 */
@ExtendWith(VertxExtension.class)
class IdentityListsTest {

  private static final int USERS = 250;
  private static final Pattern NEXT = Pattern.compile("<([^>]+)>;\\s*rel=\"next\"");

  /** A client for the test's Vert.x (the extension's, the same in the test method). */
  private WebClient client;

  @BeforeEach
  void client(Vertx vertx) {
    client = WebClient.create(vertx);
  }

  private static DemoDirectoryVerticle deploy(Vertx vertx, DemoShape shape, int tokenSeconds) throws Exception {
    return deploy(vertx, shape, USERS, tokenSeconds);
  }

  private static DemoDirectoryVerticle deploy(Vertx vertx, DemoShape shape, int users, int tokenSeconds) throws Exception {
    return Stack.demo(vertx, users, new JsonObject().put("shape", shape.name().toLowerCase()).put("tokenLifetimeSeconds", tokenSeconds));
  }

  /** A GET with the demo's credential: its token (asked as the preset asks) or its static header. */
  private HttpResponse<Buffer> get(DemoDirectoryVerticle demo, String uri) throws Exception {
    JsonObject credentials = demo.credentials();
    HttpRequest<Buffer> request = client.getAbs(uri.startsWith("http") ? uri : "http://127.0.0.1:" + demo.actualPort() + uri);
    if (credentials.containsKey("headers")) {
      request.putHeader("Authorization", credentials.getJsonObject("headers").getString("Authorization"));
    } else {
      request.putHeader("Authorization", "Bearer " + token(demo));
    }
    return request.send().await(10, TimeUnit.SECONDS);
  }

  private String token(DemoDirectoryVerticle demo) throws Exception {
    JsonObject credentials = demo.credentials();
    MultiMap form = MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials")
      .add("client_id", credentials.getString("clientId")).add("client_secret", credentials.getString("clientSecret"))
      .add("scope", DemoTokens.GRAPH_SCOPE);
    if (credentials.containsKey("tokenAudience")) {
      form.add("audience", credentials.getString("tokenAudience"));
    }
    HttpResponse<Buffer> answer = client.postAbs(credentials.getString("tokenUrl")).sendForm(form).await(10, TimeUnit.SECONDS);
    assertEquals(200, answer.statusCode(), answer.bodyAsString());
    return answer.bodyAsJsonObject().getString("access_token");
  }

  /** What a test makes of one answer of a list: it checks it, adds its users' ids, and returns the next page's URI, or null after the last. */
  private interface Page {
    String read(HttpResponse<Buffer> answer, Set<String> ids);
  }

  /** The ids of a list followed from {@code first} to its last page, no user twice. */
  private Set<String> follow(DemoDirectoryVerticle demo, String first, Page page) throws Exception {
    Set<String> ids = new HashSet<>();
    for (String next = first; next != null; ) {
      next = page.read(get(demo, next), ids);
    }
    return ids;
  }

  private static void addAll(Set<String> ids, JsonArray users, String idField) {
    for (Object user : users) {
      assertTrue(ids.add(((JsonObject) user).getString(idField)), "no user twice");
    }
  }

  @Test
  @DisplayName("Keycloak: first/max pages to a short page; 100 a page when max is not given; /users/count")
  void keycloak(Vertx vertx) throws Exception {
    DemoDirectoryVerticle demo = deploy(vertx, DemoShape.KEYCLOAK, 300);
    Set<String> ids = follow(demo, "/admin/realms/demo/users?first=0&max=40", (answer, seen) -> {
      JsonArray page = answer.bodyAsJsonArray();
      addAll(seen, page, "id");
      // A short page is the last; the next starts after every user seen so far.
      return page.size() < 40 ? null : "/admin/realms/demo/users?first=" + seen.size() + "&max=40";
    });
    assertEquals(USERS, ids.size());
    assertEquals(100, get(demo, "/admin/realms/demo/users").bodyAsJsonArray().size());
    assertEquals(String.valueOf(USERS), get(demo, "/admin/realms/demo/users/count").bodyAsString());
  }

  @Test
  @DisplayName("SCIM: startIndex/count with totalResults, count capped at 100, users at /Resources; the id filter")
  void scim(Vertx vertx) throws Exception {
    DemoDirectoryVerticle demo = deploy(vertx, DemoShape.SCIM, 300);
    Set<String> ids = follow(demo, "/scim/v2/Users?startIndex=1&count=500", (answer, seen) -> {
      JsonObject page = answer.bodyAsJsonObject();
      assertTrue(page.getInteger("itemsPerPage") <= 100, page.getInteger("itemsPerPage") + " a page");
      addAll(seen, page.getJsonArray("Resources"), "id");
      long startIndex = page.getLong("startIndex") + page.getInteger("itemsPerPage");
      return startIndex > page.getLong("totalResults") ? null : "/scim/v2/Users?startIndex=" + startIndex + "&count=500";
    });
    assertEquals(USERS, ids.size());
    assertEquals(20, get(demo, "/scim/v2/Users").bodyAsJsonObject().getJsonArray("Resources").size(), "count when not given");
    String filter = "id eq \"" + DemoIds.id(DemoShape.SCIM, 5) + "\" or id eq \"nobody\"";
    JsonObject found = get(demo, "/scim/v2/Users?filter=" + URLEncoder.encode(filter, "UTF-8").replace("+", "%20"))
      .bodyAsJsonObject();
    assertEquals(1, found.getInteger("totalResults"));
    JsonObject none = get(demo, "/scim/v2/Users?filter=id%20eq%20%22nobody%22").bodyAsJsonObject();
    assertEquals(0, none.getInteger("totalResults"));
    assertNull(none.getJsonArray("Resources"), "RFC 7644 leaves Resources out of an empty answer");
  }

  @Test
  @DisplayName("Okta: Link rel=\"next\" with after, to a page without one; DEPROVISIONED users left out of the list; X-Rate-Limit-*")
  void okta(Vertx vertx) throws Exception {
    DemoDirectoryVerticle demo = deploy(vertx, DemoShape.OKTA, 300);
    Set<String> ids = follow(demo, "/api/v1/users?limit=60", (page, seen) -> {
      assertNotNull(page.getHeader("X-Rate-Limit-Remaining"));
      assertTrue(Long.parseLong(page.getHeader("X-Rate-Limit-Reset")) > System.currentTimeMillis() / 1000 - 1, "a Unix time");
      addAll(seen, page.bodyAsJsonArray(), "id");
      String next = null;
      for (String link : page.headers().getAll("Link")) {
        Matcher matcher = NEXT.matcher(link);
        if (matcher.find()) {
          next = matcher.group(1);
        }
      }
      return next;
    });
    assertEquals(USERS - USERS / 25, ids.size(), "every 25th user is DEPROVISIONED");
    assertEquals(200, get(demo, "/api/v1/users/" + DemoIds.id(DemoShape.OKTA, 25)).statusCode(), "but served by id");
  }

  @Test
  @DisplayName("Graph: $top pages with @odata.nextLink to the last; $select honoured in the next links; at most 999 a page")
  void entra(Vertx vertx) throws Exception {
    DemoDirectoryVerticle demo = deploy(vertx, DemoShape.ENTRA, 300);
    Set<String> ids = follow(demo, "/v1.0/users?$top=70&$select=id,displayName,accountEnabled", (answer, seen) -> {
      JsonObject page = answer.bodyAsJsonObject();
      for (Object user : page.getJsonArray("value")) {
        assertEquals(Set.of("id", "displayName", "accountEnabled"), ((JsonObject) user).fieldNames());
      }
      addAll(seen, page.getJsonArray("value"), "id");
      return page.getString("@odata.nextLink");
    });
    assertEquals(USERS, ids.size());
    assertEquals(400, get(demo, "/v1.0/users?$top=1000").statusCode());
    JsonObject user = get(demo, "/v1.0/users/" + DemoIds.id(DemoShape.ENTRA, 1)).bodyAsJsonObject();
    assertTrue(!user.containsKey("accountEnabled") && user.containsKey("userPrincipalName"), "Graph's default properties: " + user.encode());
  }

  private static String auth0Page(int page) {
    return "/api/v2/users?page=" + page + "&per_page=100&include_totals=true";
  }

  @Test
  @DisplayName("Auth0: page (0-based)/per_page/include_totals with total; no record beyond the first 1000; x-ratelimit-*")
  void auth0(Vertx vertx) throws Exception {
    DemoDirectoryVerticle demo = deploy(vertx, DemoShape.AUTH0, 300);
    Set<String> ids = follow(demo, auth0Page(0), (answer, seen) -> {
      assertNotNull(answer.getHeader("x-ratelimit-remaining"));
      JsonObject body = answer.bodyAsJsonObject();
      assertEquals(USERS, body.getInteger("total"));
      addAll(seen, body.getJsonArray("users"), "user_id");
      return body.getInteger("length") < 100 ? null : auth0Page(body.getInteger("start") / 100 + 1);
    });
    assertEquals(USERS, ids.size());
    assertTrue(get(demo, "/api/v2/users").bodyAsJsonArray().size() == 50, "50 a page when per_page is not given");
    assertEquals(200, get(demo, "/api/v2/users/" + DemoIds.id(DemoShape.AUTH0, 9).replace("|", "%7C")).statusCode());
  }

  @Test
  @DisplayName("Auth0 pages no further than the first 1000 users, whatever the directory holds")
  void auth0Cap(Vertx vertx) throws Exception {
    DemoDirectoryVerticle demo = deploy(vertx, DemoShape.AUTH0, 1500, 300);
    JsonObject last = get(demo, auth0Page(9)).bodyAsJsonObject();
    assertEquals(100, last.getInteger("length"));
    assertEquals(1000, last.getInteger("total"));
    HttpResponse<Buffer> beyond = get(demo, auth0Page(10));
    assertEquals(400, beyond.statusCode());
    assertEquals("invalid_paging", beyond.bodyAsJsonObject().getString("errorCode"));
  }

  @Test
  @DisplayName("no credential, a wrong one, or an expired token: 401 in the directory's words; Auth0 refuses the client in a Basic header")
  void credentials(Vertx vertx) throws Exception {
    for (DemoShape shape : new DemoShape[] {DemoShape.KEYCLOAK, DemoShape.SCIM, DemoShape.OKTA, DemoShape.ENTRA, DemoShape.AUTH0}) {
      DemoDirectoryVerticle demo = deploy(vertx, shape, 1);
      String user = demo.baseUrl() + (shape == DemoShape.OKTA ? "/api/v1/users/" : shape == DemoShape.SCIM ? "/Users/" : "/users/")
        + URLEncoder.encode(DemoIds.id(shape, 1), "UTF-8");
      assertEquals(401, client.getAbs(user).send().await(10, TimeUnit.SECONDS).statusCode(), shape + " without a credential");
      assertEquals(401, client.getAbs(user).putHeader("Authorization", "Bearer nope").send().await(10, TimeUnit.SECONDS).statusCode(), shape.name());
      assertEquals(200, get(demo, user).statusCode(), shape + " with its credential");
      if (demo.credentials().containsKey("clientId")) {
        String token = token(demo);
        // The token lives a second (demo.tokenLifetimeSeconds): once it has expired, it is refused.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
          client.getAbs(user).putHeader("Authorization", "Bearer " + token).send().await(10, TimeUnit.SECONDS).statusCode() == 401);
      }
    }
    DemoDirectoryVerticle auth0 = deploy(vertx, DemoShape.AUTH0, 300);
    JsonObject credentials = auth0.credentials();
    HttpResponse<Buffer> basic = client.postAbs(credentials.getString("tokenUrl"))
      .basicAuthentication(credentials.getString("clientId"), credentials.getString("clientSecret"))
      .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials").add("audience", credentials.getString("tokenAudience")))
      .await(10, TimeUnit.SECONDS);
    assertEquals(401, basic.statusCode(), basic.bodyAsString());
  }
}
