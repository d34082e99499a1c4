package io.usergate.config;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code upstream.preset}: for a kind of directory, the key values that make usergate talk to it (paths,
 * mapping, bulk read, list paging, how the token is asked for, and the demo directory's shape of it). A preset
 * is a layer between the built-in defaults and every other layer ({@link Configuration}): any key it sets is
 * still overridden by a file, the environment or a property, and {@code --print-config} names it as
 * {@code preset NAME}. What each preset sets, and why, is docs/fronting-a-directory.md's table; this class is
 * that table as data.
 */
public final class Presets {

  public static final String NONE = "none";
  /** Okta's filter for users of every status, percent-encoded for a template: the plain list leaves DEPROVISIONED out. */
  private static final String OKTA_EVERY_STATUS = URLEncoder.encode(String.join(" or ", Stream.of("STAGED", "PROVISIONED",
    "ACTIVE", "RECOVERY", "LOCKED_OUT", "PASSWORD_EXPIRED", "SUSPENDED", "DEPROVISIONED")
    .map(status -> "status eq \"" + status + "\"").toList()), StandardCharsets.UTF_8).replace("+", "%20");

  /** The Graph fields usergate maps, and accountEnabled: it is not among the properties Graph sends by default. */
  static final String GRAPH_SELECT = "id,displayName,givenName,surname,mail,userPrincipalName,accountEnabled";

  private static final Map<String, Map<String, Object>> PRESETS = new LinkedHashMap<>();

  static {
    PRESETS.put(NONE, Map.of());
    preset("jsonplaceholder",
      "upstream.batchPath", "/users{?id*}",
      "sync.listPath", "/users{?_page,_limit}",
      "demo.shape", "plain");
    preset("dummyjson",
      "mapping.name", "{/firstName} {/lastName}",
      "mapping.listPointer", "/users",
      "mapping.drop", "/password,/ssn,/ein,/bank,/crypto,/ip,/macAddress,/userAgent",
      "sync.listPath", "/users{?limit,skip}",
      "demo.shape", "dummyjson");
    // Admin REST API: base .../admin/realms/REALM; a user without first and last name (a service account) has its username.
    preset("keycloak",
      "upstream.userPath", "/users/{id}",
      "mapping.id", "/id",
      "mapping.name", "{/firstName} {/lastName}||{/username}",
      "mapping.username", "{/username}",
      "mapping.email", "{/email}",
      "mapping.active", "/enabled",
      "sync.listPath", "/users?first={skip}&max={limit}",
      "sync.listNext", "offset",
      "sync.listPageSize", 100,
      "demo.shape", "keycloak");
    // RFC 7643/7644: base .../scim/v2 (or wherever the server mounts it).
    preset("scim",
      "upstream.userPath", "/Users/{id}",
      "upstream.batchPath", "/Users{?filter,count}",
      "upstream.batchFilter", "id eq \"{id}\"",
      "upstream.batchFilterJoin", " or ",
      "upstream.maxBatchSize", 50,
      "mapping.id", "/id",
      "mapping.name", "{/displayName}||{/name/formatted}||{/name/givenName} {/name/familyName}||{/userName}",
      "mapping.username", "{/userName}",
      "mapping.email", "{/emails[primary=true]/value}||{/emails/0/value}",
      "mapping.active", "/active",
      "mapping.listPointer", "/Resources",
      "sync.listPath", "/Users?startIndex={startIndex}&count={limit}",
      "sync.listNext", "scim",
      "sync.listPageSize", 100,
      // RFC 7644 3.4.2.2: meta.lastModified is filterable with gt (the server's support is its choice).
      "sync.changedSincePath", "/Users?filter=meta.lastModified gt \"{since}\"&startIndex={startIndex}&count={limit}",
      "demo.shape", "scim");
    // Users API: base https://ORG.okta.com; the filter (not search, which reads an eventually consistent index).
    preset("okta",
      "upstream.userPath", "/api/v1/users/{id}",
      "upstream.batchPath", "/api/v1/users?filter={filter}&limit={count}",
      "upstream.batchFilter", "id eq \"{id}\"",
      "upstream.batchFilterJoin", " or ",
      "upstream.maxBatchSize", 20,
      "mapping.id", "/id",
      "mapping.name", "{/profile/displayName}||{/profile/firstName} {/profile/lastName}||{/profile/login}",
      "mapping.username", "{/profile/login}",
      "mapping.email", "{/profile/email}",
      // Deactivated (DEPROVISIONED) is inactive; SUSPENDED is a pause that keeps the user's apps, as LOCKED_OUT is.
      "mapping.active", "/status!=DEPROVISIONED",
      // The plain list leaves DEPROVISIONED users out: a filter naming every status lists them all (and, unlike
      // search, reads current data).
      "sync.listPath", "/api/v1/users?filter=" + OKTA_EVERY_STATUS + "{&limit}",
      "sync.listNext", "link",
      "sync.listPageSize", 200,
      // Okta's documented filter on the last update (current data, as the list's filter is); the next pages by Link.
      "sync.changedSincePath", "/api/v1/users?filter=lastUpdated gt \"{since}\"{&limit}",
      "demo.shape", "okta");
    // Microsoft Graph: base https://graph.microsoft.com/v1.0; $filter id in (...) takes 15 values at most.
    preset("entra",
      "upstream.userPath", "/users/{id}?$select=" + GRAPH_SELECT,
      "upstream.batchPath", "/users?$filter=id%20in%20({filter})&$select=" + GRAPH_SELECT,
      "upstream.batchFilter", "'{id}'",
      "upstream.batchFilterJoin", ",",
      "upstream.maxBatchSize", 15,
      "upstream.tokenScope", "https://graph.microsoft.com/.default",
      "upstream.clientAuth", "post",
      "mapping.id", "/id",
      "mapping.name", "{/displayName}||{/givenName} {/surname}||{/userPrincipalName}",
      "mapping.username", "{/userPrincipalName}",
      "mapping.email", "{/mail}",
      "mapping.active", "/accountEnabled",
      "mapping.listPointer", "/value",
      "sync.listPath", "/users?$top={limit}&$select=" + GRAPH_SELECT,
      "sync.listNext", "url",
      "sync.listNextPointer", "/@odata.nextLink",
      "sync.listPageSize", 999,
      // The delta query: $select is carried by Graph into its next and delta links; Graph sizes the pages itself.
      "sync.deltaPath", "/users/delta?$select=" + GRAPH_SELECT,
      "demo.shape", "entra");
    // Management API v2: base https://TENANT.auth0.com/api/v2; page is 0-based, per_page at most 100.
    preset("auth0",
      "upstream.userPath", "/users/{id}",
      "upstream.clientAuth", "post",
      "mapping.id", "/user_id",
      "mapping.name", "{/name}||{/nickname}||{/email}",
      "mapping.username", "{/username}||{/nickname}",
      "mapping.email", "{/email}",
      "mapping.active", "/blocked!=true",
      "mapping.listPointer", "/users",
      "sync.listPath", "/users?page={page0}&per_page={limit}&include_totals=true",
      "sync.listNext", "offset",
      "sync.listPageSize", 100,
      "demo.shape", "auth0");
  }

  private Presets() {
  }

  private static void preset(String name, Object... keysAndValues) {
    Map<String, Object> keys = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      keys.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    PRESETS.put(name, keys);
  }

  /** The presets' names, {@code none} first. */
  public static Set<String> names() {
    return PRESETS.keySet();
  }

  public static boolean known(String name) {
    return PRESETS.containsKey(name);
  }

  /** The keys (dotted) {@code preset} sets, with their values, in the table's order. */
  public static Map<String, Object> keys(String preset) {
    Map<String, Object> keys = PRESETS.get(preset);
    if (keys == null) {
      throw new IllegalArgumentException("no preset " + preset);
    }
    return keys;
  }

  /** The layer's name in {@code --print-config} and the start log. */
  public static String layer(String preset) {
    return "preset " + preset;
  }

  /**
   * What {@code preset} derives from the directory's address and its client, for the keys no layer set:
   * Keycloak's token endpoint beside its admin API ({@code .../admin/realms/R} → {@code .../realms/R/protocol/
   * openid-connect/token}), Auth0's at its tenant ({@code /oauth/token}) with the Management API as the audience.
   * Only with a client ({@code upstream.clientId}): without one the directory is reached with {@code upstream.headers}.
   */
  public static Map<String, Object> derived(String preset, JsonObject upstream) {
    String baseUrl = upstream.getString("baseUrl");
    if (baseUrl == null || upstream.getString("clientId") == null) {
      return Map.of();
    }
    URI base;
    try {
      base = URI.create(baseUrl.replaceAll("/+$", ""));
    } catch (IllegalArgumentException e) {
      return Map.of();  // the rules refuse the URL, naming it
    }
    String origin = base.getScheme() + "://" + base.getRawAuthority();
    String path = base.getRawPath() == null ? "" : base.getRawPath();
    Map<String, Object> derived = new LinkedHashMap<>();
    switch (preset) {
      case "keycloak" -> {
        int admin = path.lastIndexOf("/admin/realms/");
        if (admin >= 0) {
          String realm = path.substring(admin + "/admin/realms/".length());
          derived.put("upstream.tokenUrl", origin + path.substring(0, admin) + "/realms/" + realm + "/protocol/openid-connect/token");
        }
      }
      case "auth0" -> {
        derived.put("upstream.tokenUrl", origin + "/oauth/token");
        derived.put("upstream.tokenAudience", origin + path + "/");
      }
      default -> { }
    }
    return derived;
  }

  /** The refusal of an unknown preset: the known ones, and the nearest as a suggestion. */
  static String unknown(String name) {
    String suggestion = Nearest.among(name, names(), 3).map(near -> " (did you mean " + near + "?)").orElse("");
    return "\"" + name + "\" is no preset" + suggestion + "; the presets are " + String.join(", ", names());
  }
}
