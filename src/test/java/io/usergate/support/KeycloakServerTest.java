package io.usergate.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpResponseExpectation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The suite's Keycloak does what issue 23's directory tests will lean on, over real HTTP. */
@ExtendWith(VertxExtension.class)
class KeycloakServerTest {

  private static final int PAGE = 100;

  private static KeycloakServer keycloak;
  private WebClient client;

  @BeforeAll
  static void startKeycloak() {
    keycloak = KeycloakServer.shared();
    System.out.printf("keycloak: realm %s served %,d ms after the start of kc.sh (%s)%n",
      KeycloakRealm.NAME, keycloak.startMillis(), keycloak.baseUrl());
  }

  @BeforeEach
  void client(Vertx vertx) {
    client = WebClient.create(vertx);
  }

  @AfterEach
  void closeClient() {
    client.close();
  }

  @Test
  @DisplayName("the directory's client gets a client-credentials token for itself, living the realm's 60 s")
  void clientCredentialsToken(VertxTestContext testContext) {
    keycloak.clientToken(client, KeycloakRealm.DIRECTORY_CLIENT, KeycloakRealm.DIRECTORY_SECRET)
      .onComplete(testContext.succeeding(token -> testContext.verify(() -> {
        JsonObject claims = claims(token);
        assertEquals(KeycloakRealm.DIRECTORY_CLIENT, claims.getString("azp"));
        assertEquals(keycloak.realmUrl(), claims.getString("iss"));
        assertEquals(KeycloakRealm.Settings.DEFAULT.accessTokenSeconds(), claims.getLong("exp") - claims.getLong("iat"));
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("the caller's client gets a token of its own, which the admin API refuses (403): it has no admin role")
  void callerHasNoAdminRole(VertxTestContext testContext) {
    keycloak.clientToken(client, KeycloakRealm.CALLER_CLIENT, KeycloakRealm.CALLER_SECRET)
      .compose(token -> usersStatus(token).map(status -> List.of(claims(token).getString("azp"), status.toString())))
      .onComplete(testContext.succeeding(answer -> testContext.verify(() -> {
        assertEquals(List.of(KeycloakRealm.CALLER_CLIENT, "403"), answer);
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("pages of first/max walk the 300 users, ending on a short page, with their non-ASCII names intact")
  void pagesOfUsers(VertxTestContext testContext) {
    keycloak.clientToken(client, KeycloakRealm.DIRECTORY_CLIENT, KeycloakRealm.DIRECTORY_SECRET)
      .compose(token -> walk(token, 0, new ArrayList<>(), new ArrayList<>()))
      .onComplete(testContext.succeeding(walk -> testContext.verify(() -> {
        // 300 fill three pages: the fourth, empty, is the short one.
        assertEquals(List.of(PAGE, PAGE, PAGE, 0), walk.pageSizes());
        Set<String> ids = new HashSet<>();
        Set<String> usernames = new HashSet<>();
        for (JsonObject user : walk.users()) {
          ids.add(user.getString("id"));
          String username = user.getString("username");
          usernames.add(username);
          int n = Integer.parseInt(username.substring("user-".length()));
          assertEquals(KeycloakRealm.firstName(n), user.getString("firstName"), username);
          assertEquals(KeycloakRealm.lastName(n), user.getString("lastName"), username);
        }
        assertEquals(KeycloakRealm.USERS, ids.size(), "distinct ids");
        assertEquals(IntStream.rangeClosed(1, KeycloakRealm.USERS).mapToObj(KeycloakRealm::username).toList(),
          usernames.stream().sorted().toList());
        testContext.completeNow();
      })));
  }

  private record Walk(List<Integer> pageSizes, List<JsonObject> users) {
  }

  /** Pages of {@link #PAGE} until a short one, as the directory's walk will page. */
  private Future<Walk> walk(String token, int first, List<Integer> pageSizes, List<JsonObject> users) {
    return client.getAbs(keycloak.adminUrl() + "/users").bearerTokenAuthentication(token)
      .addQueryParam("first", String.valueOf(first)).addQueryParam("max", String.valueOf(PAGE))
      .send()
      .expecting(HttpResponseExpectation.SC_OK)
      .compose(response -> {
        JsonArray page = response.bodyAsJsonArray();
        pageSizes.add(page.size());
        page.forEach(user -> users.add((JsonObject) user));
        return page.size() < PAGE ? Future.succeededFuture(new Walk(pageSizes, users))
          : walk(token, first + PAGE, pageSizes, users);
      });
  }

  @Test
  @DisplayName("a user read by its opaque id comes back with its non-ASCII names, byte for byte")
  void oneUserById(VertxTestContext testContext) {
    int n = 7;
    keycloak.clientToken(client, KeycloakRealm.DIRECTORY_CLIENT, KeycloakRealm.DIRECTORY_SECRET)
      .compose(token -> client.getAbs(keycloak.adminUrl() + "/users").bearerTokenAuthentication(token)
        .addQueryParam("username", KeycloakRealm.username(n)).addQueryParam("exact", "true").send()
        .expecting(HttpResponseExpectation.SC_OK)
        .compose(found -> client.getAbs(keycloak.adminUrl() + "/users/"
            + found.bodyAsJsonArray().getJsonObject(0).getString("id"))
          .bearerTokenAuthentication(token).send()
          .expecting(HttpResponseExpectation.SC_OK)))
      .onComplete(testContext.succeeding(response -> testContext.verify(() -> {
        JsonObject user = response.bodyAsJsonObject();
        assertEquals(KeycloakRealm.username(n), user.getString("username"));
        assertEquals(KeycloakRealm.firstName(n), user.getString("firstName"));
        assertEquals(KeycloakRealm.lastName(n), user.getString("lastName"));
        assertEquals(KeycloakRealm.username(n) + "@usergate.example", user.getString("email"));
        // The names as UTF-8 bytes in the body, not only as decoded text.
        String body = response.bodyAsString(StandardCharsets.UTF_8.name());
        assertTrue(body.contains("\"firstName\":\"" + KeycloakRealm.firstName(n) + "\""), body);
        assertTrue(body.contains("\"lastName\":\"" + KeycloakRealm.lastName(n) + "\""), body);
        testContext.completeNow();
      })));
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  @DisplayName("a token of the short-lived client is refused by the admin API (401) once its few seconds have passed")
  void shortLivedTokenExpires(Vertx vertx, VertxTestContext testContext) {
    int lifespan = KeycloakRealm.Settings.DEFAULT.shortTokenSeconds();
    keycloak.clientToken(client, KeycloakRealm.SHORT_LIVED_CLIENT, KeycloakRealm.SHORT_LIVED_SECRET)
      .compose(token -> {
        long issued = System.nanoTime();
        JsonObject claims = claims(token);
        return usersStatus(token).compose(fresh -> untilRefused(vertx, token)
          .map(refused -> new long[] {fresh, claims.getLong("exp") - claims.getLong("iat"),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - issued)}));
      })
      .timeout(lifespan + 30L, TimeUnit.SECONDS)
      .onComplete(testContext.succeeding(figures -> testContext.verify(() -> {
        assertEquals(200, figures[0], "the fresh token is accepted");
        assertEquals(lifespan, figures[1], "exp - iat");
        // exp counts whole seconds from iat: the token lives at least lifespan - 1 s.
        assertTrue(figures[2] >= (lifespan - 1) * 1000L, "refused after " + figures[2] + " ms");
        System.out.printf("keycloak: a %d s token refused %,d ms after it was issued%n", lifespan, figures[2]);
        testContext.completeNow();
      })));
  }

  private Future<Integer> usersStatus(String token) {
    return client.getAbs(keycloak.adminUrl() + "/users").bearerTokenAuthentication(token)
      .addQueryParam("max", "1").send().map(HttpResponse::statusCode);
  }

  /** Asks every 200 ms until the admin API answers 401; the caller's timeout bounds it. */
  private Future<Void> untilRefused(Vertx vertx, String token) {
    return usersStatus(token).compose(status -> status == 401 ? Future.succeededFuture()
      : vertx.timer(200, TimeUnit.MILLISECONDS).compose(tick -> untilRefused(vertx, token)));
  }

  @Test
  @DisplayName("a user created through the admin helper is read by the directory's client, and gone (404) once deleted")
  void createAndDeleteUser(VertxTestContext testContext) {
    JsonObject user = new JsonObject().put("username", "made-by-test").put("firstName", "Mårten").put("lastName", "Kowalczyk")
      .put("email", "made-by-test@usergate.example").put("enabled", true);
    keycloak.clientToken(client, KeycloakRealm.DIRECTORY_CLIENT, KeycloakRealm.DIRECTORY_SECRET)
      .compose(token -> keycloak.createUser(client, user)
        .compose(id -> readUser(token, id)
          .compose(created -> keycloak.deleteUser(client, id)
            .compose(deleted -> readUser(token, id))
            .map(gone -> List.of(created, gone)))))
      .onComplete(testContext.succeeding(reads -> testContext.verify(() -> {
        assertEquals(200, reads.get(0).statusCode());
        assertEquals("Mårten", reads.get(0).bodyAsJsonObject().getString("firstName"));
        assertEquals(404, reads.get(1).statusCode());
        testContext.completeNow();
      })));
  }

  private Future<HttpResponse<Buffer>> readUser(String token, String id) {
    return client.getAbs(keycloak.adminUrl() + "/users/" + id).bearerTokenAuthentication(token).send();
  }

  /** The payload of a JWT, unverified: what Keycloak put in it. */
  private static JsonObject claims(String jwt) {
    String[] parts = jwt.split("\\.");
    return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
  }
}
