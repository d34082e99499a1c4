package io.usergate.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The realm {@code usergate} that {@link KeycloakServer} imports at start, as Keycloak's realm import JSON:
 * the directory's client (its service account may view and query users), a client of the same rights whose
 * tokens live a few seconds (for expiry and renewal), a caller's client with no admin role whose tokens are for
 * usergate's audience (issue 24: a JWT caller), and
 * {@link #USERS} users whose names are not ASCII.
 */
public final class KeycloakRealm {

  public static final String NAME = "usergate";
  public static final int USERS = 300;

  public static final String DIRECTORY_CLIENT = "usergate-directory";
  public static final String DIRECTORY_SECRET = "usergate-directory-secret";
  /** The directory's rights too, with {@code access.token.lifespan} of {@link Settings#shortTokenSeconds}. */
  public static final String SHORT_LIVED_CLIENT = "usergate-directory-short";
  public static final String SHORT_LIVED_SECRET = "usergate-directory-short-secret";
  public static final String CALLER_CLIENT = "usergate-caller";
  public static final String CALLER_SECRET = "usergate-caller-secret";
  /** What the caller's tokens hold in {@code aud} (an audience mapper): usergate's {@code auth.jwtAudience}. */
  public static final String USERGATE_AUDIENCE = "usergate";

  static final List<String> FIRST_NAMES = List.of("Zoë", "Łukasz", "José", "李", "Søren", "Ångström", "Éloïse", "Dvořák");
  static final List<String> LAST_NAMES = List.of("Ærøskøbing", "Müller", "Núñez", "王", "Çelik", "Ødegård", "Żółć");

  /** The realm's {@code accessTokenLifespan} and the short-lived client's, in seconds. */
  public record Settings(int accessTokenSeconds, int shortTokenSeconds) {
    public static final Settings DEFAULT = new Settings(60, 5);
  }

  private KeycloakRealm() {
  }

  /** {@code user-001} … {@code user-300}: Keycloak keeps usernames in lower case. */
  public static String username(int n) {
    return String.format("user-%03d", n);
  }

  public static String firstName(int n) {
    return FIRST_NAMES.get(n % FIRST_NAMES.size());
  }

  public static String lastName(int n) {
    return LAST_NAMES.get(n % LAST_NAMES.size());
  }

  public static JsonObject realm(Settings settings) {
    JsonArray users = new JsonArray();
    for (int n = 1; n <= USERS; n++) {
      users.add(new JsonObject()
        .put("username", username(n))
        .put("firstName", firstName(n))
        .put("lastName", lastName(n))
        .put("email", username(n) + "@usergate.example")
        .put("emailVerified", true)
        .put("enabled", true));
    }
    JsonArray directoryRoles = new JsonArray().add("view-users").add("query-users");
    users.add(serviceAccount(DIRECTORY_CLIENT, directoryRoles));
    users.add(serviceAccount(SHORT_LIVED_CLIENT, directoryRoles));
    users.add(serviceAccount(CALLER_CLIENT, new JsonArray()));
    return new JsonObject()
      .put("realm", NAME)
      .put("enabled", true)
      // Plain HTTP on loopback in the tests.
      .put("sslRequired", "none")
      .put("accessTokenLifespan", settings.accessTokenSeconds())
      .put("clients", new JsonArray()
        .add(confidentialClient(DIRECTORY_CLIENT, DIRECTORY_SECRET))
        .add(confidentialClient(SHORT_LIVED_CLIENT, SHORT_LIVED_SECRET)
          .put("attributes", new JsonObject().put("access.token.lifespan", String.valueOf(settings.shortTokenSeconds()))))
        .add(confidentialClient(CALLER_CLIENT, CALLER_SECRET).put("protocolMappers", new JsonArray().add(audience()))))
      .put("users", users);
  }

  /** Client credentials only: no browser flow, no password grant. */
  private static JsonObject confidentialClient(String clientId, String secret) {
    return new JsonObject()
      .put("clientId", clientId)
      .put("enabled", true)
      .put("protocol", "openid-connect")
      .put("publicClient", false)
      .put("clientAuthenticatorType", "client-secret")
      .put("secret", secret)
      .put("serviceAccountsEnabled", true)
      .put("standardFlowEnabled", false)
      .put("implicitFlowEnabled", false)
      .put("directAccessGrantsEnabled", false);
  }

  /** Puts {@link #USERGATE_AUDIENCE} in the access token's {@code aud}: the caller's tokens are for usergate. */
  private static JsonObject audience() {
    return new JsonObject().put("name", "usergate-audience").put("protocol", "openid-connect")
      .put("protocolMapper", "oidc-audience-mapper")
      .put("config", new JsonObject().put("included.custom.audience", USERGATE_AUDIENCE)
        .put("access.token.claim", "true").put("id.token.claim", "false"));
  }

  /** A client's service-account user, as Keycloak's own export lists it: its admin roles ride on it. */
  private static JsonObject serviceAccount(String clientId, JsonArray realmManagementRoles) {
    JsonObject user = new JsonObject()
      .put("username", "service-account-" + clientId)
      .put("enabled", true)
      .put("serviceAccountClientId", clientId);
    if (!realmManagementRoles.isEmpty()) {
      user.put("clientRoles", new JsonObject().put("realm-management", realmManagementRoles));
    }
    return user;
  }
}
