package io.usergate.web;

import io.usergate.support.BridgeClient;
import io.usergate.support.FakeDirectory;
import io.usergate.support.KeycloakRealm;
import io.usergate.support.KeycloakServer;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpResponseExpectation;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JWT callers against the real Keycloak as the callers' IdP: the client {@code usergate-caller}'s client-credentials
 * tokens (aud usergate, the optional client scopes {@code users:read} and {@code mirror:read} when asked for) over
 * HTTP and over the TCP bridge, and a rotation of the realm's signing key.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JwtCallersKeycloakTest {

  private static final String USERS_READ = "users:read";

  private static KeycloakServer keycloak;
  private static Vertx vertx;
  private static WebClient client;
  private static int port;
  private static int tcpPort;

  @BeforeAll
  static void start() throws Exception {
    keycloak = KeycloakServer.shared();
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs");
    vertx = Vertx.vertx();
    client = WebClient.create(vertx);
    offerScope(USERS_READ);
    FakeDirectory upstream = new FakeDirectory().deployOn(vertx);
    JsonObject config = TestConfig.against(upstream);
    tcpPort = TestConfig.tcpBridgeOnFreePort(config);
    config.getJsonObject("http").put("drainDelayMs", 0);
    config.getJsonObject("auth").put("jwtIssuer", keycloak.realmUrl()).put("jwtAudience", KeycloakRealm.USERGATE_AUDIENCE)
      // Known by its tokens only: no key.
      .put("callers", new JsonObject().put(KeycloakRealm.CALLER_CLIENT, new JsonObject().put("scopes", "users:read mirror:read")));
    port = Stack.all(vertx, config).actualPort();
  }

  @AfterAll
  static void stop() throws Exception {
    Stack.close(vertx);
  }

  /** The realm gets the client scope {@code name} (in the token's scope claim), optional for the caller's client. */
  private static void offerScope(String name) throws Exception {
    String admin = keycloak.adminToken(client).await(30, TimeUnit.SECONDS);
    HttpResponse<Buffer> created = client.postAbs(keycloak.adminUrl() + "/client-scopes").bearerTokenAuthentication(admin)
      .sendJsonObject(new JsonObject().put("name", name).put("protocol", "openid-connect")
        .put("attributes", new JsonObject().put("include.in.token.scope", "true").put("display.on.consent.screen", "false")))
      .await(30, TimeUnit.SECONDS);
    assertTrue(created.statusCode() == 201 || created.statusCode() == 409, created.bodyAsString());
    String scopeId = client.getAbs(keycloak.adminUrl() + "/client-scopes").bearerTokenAuthentication(admin).send()
      .expecting(HttpResponseExpectation.SC_OK).await(30, TimeUnit.SECONDS).bodyAsJsonArray().stream()
      .map(JsonObject.class::cast).filter(scope -> name.equals(scope.getString("name"))).findFirst().orElseThrow()
      .getString("id");
    String clientId = client.getAbs(keycloak.adminUrl() + "/clients").addQueryParam("clientId", KeycloakRealm.CALLER_CLIENT)
      .bearerTokenAuthentication(admin).send().expecting(HttpResponseExpectation.SC_OK).await(30, TimeUnit.SECONDS)
      .bodyAsJsonArray().getJsonObject(0).getString("id");
    client.putAbs(keycloak.adminUrl() + "/clients/" + clientId + "/optional-client-scopes/" + scopeId)
      .bearerTokenAuthentication(admin).send().expecting(HttpResponseExpectation.SC_NO_CONTENT).await(30, TimeUnit.SECONDS);
  }

  /** A client-credentials token of the caller's client, with {@code scope} asked for (null: none). */
  private static String callerToken(String scope) throws Exception {
    MultiMap form = MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials")
      .add("client_id", KeycloakRealm.CALLER_CLIENT).add("client_secret", KeycloakRealm.CALLER_SECRET);
    if (scope != null) {
      form.add("scope", scope);
    }
    return client.postAbs(keycloak.tokenUrl()).sendForm(form).expecting(HttpResponseExpectation.SC_OK)
      .await(30, TimeUnit.SECONDS).bodyAsJsonObject().getString("access_token");
  }

  private static HttpResponse<Buffer> getUser(String token) throws Exception {
    return client.get(port, "127.0.0.1", "/users/7").putHeader("Authorization", "Bearer " + token).send()
      .await(10, TimeUnit.SECONDS);
  }

  private static JsonObject header(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))),
      StandardCharsets.UTF_8));
  }

  private static void assertError(HttpResponse<Buffer> answer, int status, String inMessage) {
    assertEquals(status, answer.statusCode(), answer.bodyAsString());
    String message = answer.bodyAsJsonObject().getJsonObject("error").getString("message");
    assertTrue(message.contains(inMessage), message);
  }

  @Test
  @Order(1)
  @DisplayName("over HTTP: a Keycloak token with users:read reads a user (200); without the scope 403 naming it; garbage or another audience 401")
  void overHttp() throws Exception {
    HttpResponse<Buffer> read = getUser(callerToken(USERS_READ));
    assertEquals(200, read.statusCode(), read.bodyAsString());
    assertEquals(FakeDirectory.user(7), read.bodyAsJsonObject());
    assertError(getUser(callerToken(null)), 403, "lacks the scope users:read");
    assertError(getUser("eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl"), 401, "signature");
    String directoryToken = keycloak.clientToken(client, KeycloakRealm.DIRECTORY_CLIENT, KeycloakRealm.DIRECTORY_SECRET)
      .await(30, TimeUnit.SECONDS);
    assertError(getUser(directoryToken), 401, "aud");
  }

  @Test
  @Order(2)
  @DisplayName("over the TCP and SockJS bridges: the token in a frame's headers reads a user; a token without users:read "
    + "gets 403 on the reply address")
  void overTheBridges() throws Exception {
    String reader = "Bearer " + callerToken(USERS_READ);
    String other = "Bearer " + callerToken(null);
    WebSocketClient webSockets = vertx.createWebSocketClient();
    Map<String, BridgeClient> bridges = Map.of("tcp", BridgeClient.tcp(vertx, tcpPort), "sockjs", BridgeClient.sockJs(webSockets, port));
    for (Map.Entry<String, BridgeClient> bridge : bridges.entrySet()) {
      BridgeClient frames = bridge.getValue();
      JsonObject reply = frames.request("usergate.fetch.one", new JsonObject().put("id", 7),
        new JsonObject().put("Authorization", reader), "r1");
      assertEquals(FakeDirectory.user(7), reply.getJsonObject("body"), bridge.getKey() + ": " + reply.encode());
      JsonObject refused = frames.request("usergate.fetch.one", new JsonObject().put("id", 7),
        new JsonObject().put("Authorization", other), "r2");
      assertEquals("err", refused.getString("type"), bridge.getKey() + ": " + refused.encode());
      assertEquals(403, refused.getInteger("failureCode"), bridge.getKey() + ": " + refused.encode());
      assertTrue(refused.getString("message").contains("users:read"), bridge.getKey() + ": " + refused.encode());
    }
    webSockets.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  @Order(3)
  @DisplayName("Keycloak rotates its signing key (a new RSA provider of higher priority): its new tokens are accepted after usergate reads the JWKS again")
  void rotation() throws Exception {
    String before = header(callerToken(USERS_READ)).getString("kid");
    String admin = keycloak.adminToken(client).await(30, TimeUnit.SECONDS);
    String realmId = client.getAbs(keycloak.adminUrl()).bearerTokenAuthentication(admin).send()
      .expecting(HttpResponseExpectation.SC_OK).await(30, TimeUnit.SECONDS).bodyAsJsonObject().getString("id");
    client.postAbs(keycloak.adminUrl() + "/components").bearerTokenAuthentication(admin)
      .sendJsonObject(new JsonObject().put("name", "rotated-rsa").put("providerId", "rsa-generated")
        .put("providerType", "org.keycloak.keys.KeyProvider").put("parentId", realmId)
        .put("config", new JsonObject().put("priority", new JsonArray().add("1000")).put("keySize", new JsonArray().add("2048"))
          .put("active", new JsonArray().add("true")).put("enabled", new JsonArray().add("true"))
          .put("algorithm", new JsonArray().add("RS256"))))
      .expecting(HttpResponseExpectation.SC_CREATED).await(30, TimeUnit.SECONDS);
    String rotated = callerToken(USERS_READ);
    assertNotEquals(before, header(rotated).getString("kid"), "Keycloak signs with the new key");
    // Within the pause after usergate's last read of the JWKS, the new kid is refused; the next read takes it.
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
      .until(() -> getUser(rotated).statusCode() == 200);
    Future<HttpResponse<Buffer>> again = client.get(port, "127.0.0.1", "/users/7")
      .putHeader("Authorization", "Bearer " + rotated).send();
    assertEquals(200, again.await(10, TimeUnit.SECONDS).statusCode());
  }
}
