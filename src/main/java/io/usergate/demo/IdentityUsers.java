package io.usergate.demo;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.text.Normalizer;
import java.time.Instant;
import java.util.Locale;

/**
 * The users of the production-like demo shapes, each as its directory's documentation shows one: the same
 * every time for a number, with names beyond ASCII (Zoë, Łukasz, Østergaard), and the gaps real directories
 * have (a Keycloak service account with no first or last name, a SCIM user with no displayName whose primary
 * email is not the first, a Graph user with no mail, an Auth0 user with no username, Okta users that are
 * DEPROVISIONED).
 */
final class IdentityUsers {

  private static final String[] FIRST = {"Zoë", "José", "Łukasz", "Søren", "Ada", "Grace", "Alan", "Edsger", "Barbara",
    "Donald", "Chloé", "Jürgen", "Mårten", "Ngozi", "Hiroshi", "Priya"};
  private static final String[] LAST = {"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Müller",
    "Østergaard", "Núñez", "Kowalski", "Okafor", "Tanaka", "Sharma", "Dubois", "Berg", "Åström"};
  /** 2024-01-01T00:00:00Z: the directory's users were created after it, one a minute. */
  private static final long EPOCH_MS = 1_704_067_200_000L;

  private IdentityUsers() {
  }

  static String first(long n) {
    return FIRST[(int) (n % FIRST.length)];
  }

  static String last(long n) {
    return LAST[(int) ((n / FIRST.length) % LAST.length)];
  }

  /** {@code n}'s login: ASCII, lower case, e.g. {@code zoe.lovelace16}. */
  static String login(long n) {
    return ascii(first(n)) + "." + ascii(last(n)) + n;
  }

  /** Okta: every 25th user is DEPROVISIONED, which Okta's plain list leaves out. */
  static boolean deprovisioned(long n) {
    return n % 25 == 0;
  }

  static JsonObject user(DemoShape shape, long n) {
    return switch (shape) {
      case KEYCLOAK -> keycloak(n);
      case SCIM -> scim(n);
      case OKTA -> okta(n);
      case ENTRA -> entra(n);
      case AUTH0 -> auth0(n);
      default -> throw new IllegalArgumentException(shape + " has no string ids");
    };
  }

  /** Keycloak's UserRepresentation; every 50th user a service account, with neither first nor last name. */
  private static JsonObject keycloak(long n) {
    boolean serviceAccount = n % 50 == 0;
    JsonObject user = new JsonObject()
      .put("id", DemoIds.id(DemoShape.KEYCLOAK, n))
      .put("username", serviceAccount ? "service-account-client" + n : login(n))
      .put("createdTimestamp", EPOCH_MS + n * 60_000)
      .put("enabled", n % 17 != 0)
      .put("totp", false)
      .put("emailVerified", n % 3 != 0);
    if (!serviceAccount) {
      user.put("firstName", first(n)).put("lastName", last(n)).put("email", login(n) + "@keycloak.demo.example");
    }
    return user.put("attributes", new JsonObject().put("department", new JsonArray().add(n % 2 == 0 ? "Engineering" : "Sales")))
      .put("disableableCredentialTypes", new JsonArray())
      .put("requiredActions", new JsonArray())
      .put("notBefore", 0)
      .put("access", new JsonObject().put("manageGroupMembership", true).put("view", true).put("mapRoles", true)
        .put("impersonate", false).put("manage", true));
  }

  /** RFC 7643's User; every 3rd with no displayName, every 4th with its primary email second. */
  private static JsonObject scim(long n) {
    String id = DemoIds.id(DemoShape.SCIM, n);
    JsonObject work = new JsonObject().put("value", login(n) + "@work.scim.demo.example").put("type", "work");
    JsonObject home = new JsonObject().put("value", login(n) + "@home.scim.demo.example").put("type", "home");
    JsonArray emails = n % 4 == 0 ? new JsonArray().add(home).add(work.put("primary", true))
      : new JsonArray().add(work.put("primary", true)).add(home);
    JsonObject user = new JsonObject()
      .put("schemas", new JsonArray().add("urn:ietf:params:scim:schemas:core:2.0:User"))
      .put("id", id)
      .put("externalId", "ext-" + n)
      .put("userName", login(n))
      .put("name", new JsonObject().put("givenName", first(n)).put("familyName", last(n)));
    if (n % 3 != 0) {
      user.put("displayName", first(n) + " " + last(n));
    }
    String created = Instant.ofEpochMilli(EPOCH_MS + n * 60_000).toString();
    return user.put("emails", emails)
      .put("active", n % 17 != 0)
      .put("meta", new JsonObject().put("resourceType", "User").put("created", created).put("lastModified", created)
        .put("location", "/scim/v2/Users/" + id).put("version", "W/\"" + Long.toHexString(n) + "\""));
  }

  /** Okta's User with its profile, credentials and _links. */
  private static JsonObject okta(long n) {
    String id = DemoIds.id(DemoShape.OKTA, n);
    String created = Instant.ofEpochMilli(EPOCH_MS + n * 60_000).toString();
    return new JsonObject()
      .put("id", id)
      .put("status", deprovisioned(n) ? "DEPROVISIONED" : "ACTIVE")
      .put("created", created)
      .put("activated", created)
      .put("statusChanged", created)
      .put("lastLogin", null)
      .put("lastUpdated", created)
      .put("passwordChanged", created)
      .put("type", new JsonObject().put("id", "oty1demo0000000000x7"))
      .put("profile", new JsonObject()
        .put("firstName", first(n))
        .put("lastName", last(n))
        .put("mobilePhone", null)
        .put("secondEmail", null)
        .put("login", login(n) + "@okta.demo.example")
        .put("email", login(n) + "@okta.demo.example"))
      .put("credentials", new JsonObject()
        .put("password", new JsonObject())
        .put("provider", new JsonObject().put("type", "OKTA").put("name", "OKTA")))
      .put("_links", new JsonObject().put("self", new JsonObject().put("href", "/api/v1/users/" + id)));
  }

  /** Graph's user, every property usergate may select (accountEnabled too); every 4th with no mail. */
  private static JsonObject entra(long n) {
    String upn = login(n) + "@contoso.demo.example";
    return new JsonObject()
      .put("businessPhones", new JsonArray())
      .put("displayName", first(n) + " " + last(n))
      .put("givenName", first(n))
      .put("jobTitle", n % 2 == 0 ? "Engineer" : null)
      .put("mail", n % 4 == 0 ? null : upn)
      .put("mobilePhone", null)
      .put("officeLocation", null)
      .put("preferredLanguage", "en-US")
      .put("surname", last(n))
      .put("userPrincipalName", upn)
      .put("id", DemoIds.id(DemoShape.ENTRA, n))
      .put("accountEnabled", n % 17 != 0);
  }

  /** Auth0's user; every 5th has no username (a database connection that does not require one). */
  private static JsonObject auth0(long n) {
    String id = DemoIds.id(DemoShape.AUTH0, n);
    String created = Instant.ofEpochMilli(EPOCH_MS + n * 60_000).toString();
    String email = login(n) + "@auth0.demo.example";
    JsonObject user = new JsonObject()
      .put("user_id", id)
      .put("email", email)
      .put("email_verified", n % 3 != 0)
      .put("name", first(n) + " " + last(n))
      .put("given_name", first(n))
      .put("family_name", last(n))
      .put("nickname", ascii(first(n)) + n)
      .put("picture", "https://s.gravatar.com/avatar/" + Long.toHexString(n) + "?s=480")
      .put("created_at", created)
      .put("updated_at", created)
      .put("identities", new JsonArray().add(new JsonObject().put("connection", "Username-Password-Authentication")
        .put("user_id", id.substring(id.indexOf('|') + 1)).put("provider", "auth0").put("isSocial", false)))
      .put("logins_count", n % 40);
    if (n % 5 != 0) {
      user.put("username", login(n));
    }
    return user;
  }

  /** {@code Łukasz} → {@code lukasz}: what a login made from a name looks like. */
  private static String ascii(String name) {
    String folded = Normalizer.normalize(name.replace("Ł", "L").replace("ł", "l").replace("Ø", "O").replace("ø", "o"),
      Normalizer.Form.NFD);
    return folded.replaceAll("[^A-Za-z]", "").toLowerCase(Locale.ROOT);
  }
}
