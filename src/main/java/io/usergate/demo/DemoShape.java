package io.usergate.demo;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Locale;

/**
 * What the demo directory's answers look like ({@code demo.shape}), after the public demo directories
 * usergate is tried against: each shape has its own user, its one-user answer, its bulk answer and its
 * paged list, so that every example of {@code conf/examples} runs with no external service.
 */
public enum DemoShape {

  /** JSONPlaceholder-like: {@code id, name, username, email, address, ...}; lists are bare arrays. */
  PLAIN,
  /**
   * DummyJSON-like: {@code firstName}, {@code lastName} and no {@code name}; sensitive fields
   * ({@code password}, {@code ssn}, {@code bank}, {@code crypto}); lists are {@code {users, total, skip, limit}}.
   */
  DUMMYJSON,
  /** reqres-like: {@code {"data": {id, email, first_name, last_name, avatar}, "support": {...}}}; lists {@code {page, ..., data}}. */
  ENVELOPED,
  /** Keycloak's admin REST API under {@code /admin/realms/demo}: UUIDs, {@code first}/{@code max}, tokens. */
  KEYCLOAK,
  /** A SCIM 2.0 server (RFC 7643/7644) under {@code /scim/v2}: UUIDs, {@code startIndex}/{@code count}, {@code filter}. */
  SCIM,
  /** Okta's Users API: 20-character ids, {@code Link} rel="next" with {@code after}, {@code X-Rate-Limit-*}, {@code SSWS}. */
  OKTA,
  /** Microsoft Graph under {@code /v1.0}: GUIDs, {@code $top}/{@code $select}, {@code @odata.nextLink}, tokens. */
  ENTRA,
  /** Auth0's Management API v2 under {@code /api/v2}: {@code auth0|…} ids, page/per_page, the 1000 cap, {@code x-ratelimit-*}. */
  AUTH0;

  private static final String[] FIRST = {"Leanne", "Ervin", "Clementine", "Patricia", "Chelsey", "Dennis", "Kurtis",
    "Nicholas", "Glenna", "Clementina", "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald"};
  private static final String[] LAST = {"Graham", "Howell", "Bauch", "Lebsack", "Dietrich", "Schulist", "Weissnat",
    "Runolfsdottir", "Reichert", "DuBuque", "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth"};
  private static final String[] CITIES = {"Phoenix", "Houston", "Washington", "Seattle", "Jacksonville", "Denver",
    "Fort Worth", "San Jose", "Columbus", "Austin"};
  private static final String[] COINS = {"Bitcoin", "Ethereum", "Litecoin", "Monero"};
  private static final String[] CARDS = {"Visa", "Mastercard", "Amex", "Elo"};
  private static final JsonObject SUPPORT = new JsonObject()
    .put("url", "https://directory.example/#support-heading")
    .put("text", "Tired of writing endless social media content? Let the demo directory do it for you.");

  public static DemoShape parse(String text) {
    return valueOf(text.trim().toUpperCase(Locale.ROOT));
  }

  /** A production directory's shape: string ids, its own paths under {@link #basePath()} ({@link IdentityDirectory}). */
  public boolean identity() {
    return ordinal() >= KEYCLOAK.ordinal();
  }

  /** Where this shape's API sits on the demo's port: what {@code upstream.baseUrl} ends with. */
  public String basePath() {
    return switch (this) {
      case KEYCLOAK -> "/admin/realms/demo";
      case SCIM -> "/scim/v2";
      case ENTRA -> "/v1.0";
      case AUTH0 -> "/api/v2";
      default -> "";
    };
  }

  /** The user with this id as this shape's directory has it, the same every time. */
  public JsonObject user(long id) {
    return switch (this) {
      case PLAIN -> DemoDirectoryVerticle.user(id);
      case DUMMYJSON -> dummyJsonUser(id);
      case ENVELOPED -> reqresUser(id);
      default -> IdentityUsers.user(this, id);
    };
  }

  /** {@code GET /users/{id}}: the user, in its envelope where the shape has one. */
  public JsonObject one(long id) {
    return this == ENVELOPED ? new JsonObject().put("data", user(id)).put("support", SUPPORT.copy()) : user(id);
  }

  /** The body of a 404 for {@code id}. */
  public String notFound(long id) {
    return switch (this) {
      case PLAIN -> "{\"error\":\"no such user\"}";
      case DUMMYJSON -> new JsonObject().put("message", "User with id '" + id + "' not found").encode();
      default -> "{}";
    };
  }

  /** The bulk endpoint's answer ({@code ?id=1&id=2}): the users that exist. */
  public Object bulk(JsonArray users) {
    return switch (this) {
      case PLAIN -> users;
      case DUMMYJSON -> new JsonObject().put("users", users).put("total", users.size()).put("skip", 0).put("limit", users.size());
      default -> new JsonObject().put("data", users);
    };
  }

  /** Page size when the request names none: as the real directories have it. */
  public int defaultPageSize() {
    return switch (this) {
      case PLAIN -> 10;
      case DUMMYJSON -> 30;
      default -> 6;
    };
  }

  /** A page of the list: {@code users} from offset {@code skip}, of a directory of {@code total}, {@code size} asked. */
  public Object page(JsonArray users, long total, long skip, int size) {
    return switch (this) {
      case PLAIN -> users;
      case DUMMYJSON -> new JsonObject().put("users", users).put("total", total).put("skip", skip).put("limit", users.size());
      default -> new JsonObject().put("page", skip / size + 1).put("per_page", size).put("total", total)
        .put("total_pages", (total + size - 1) / size).put("data", users).put("support", SUPPORT.copy());
    };
  }

  private static JsonObject dummyJsonUser(long id) {
    String first = FIRST[(int) (id % FIRST.length)];
    String last = LAST[(int) ((id / FIRST.length) % LAST.length)];
    String username = first.toLowerCase(Locale.ROOT) + last.toLowerCase(Locale.ROOT).charAt(0) + id;
    long mix = id * 2_654_435_761L;
    return new JsonObject()
      .put("id", id)
      .put("firstName", first)
      .put("lastName", last)
      .put("maidenName", LAST[(int) ((id + 5) % LAST.length)])
      .put("age", 18 + id % 60)
      .put("gender", id % 2 == 0 ? "female" : "male")
      .put("email", first.toLowerCase(Locale.ROOT) + "." + last.toLowerCase(Locale.ROOT) + id + "@x.directory.example")
      .put("phone", "+1 555-" + String.format("%03d-%04d", id % 1000, mix % 10_000))
      .put("username", username)
      // Sensitive on purpose: what mapping.drop exists for. Distinct per user, so a test can look for it.
      .put("password", "pw-" + Long.toHexString(mix) + "-" + id)
      .put("birthDate", (1950 + id % 55) + "-" + (1 + id % 12) + "-" + (1 + id % 28))
      .put("image", "https://directory.example/icon/" + username + "/128")
      .put("bloodGroup", new String[] {"A+", "O-", "B+", "AB-"}[(int) (id % 4)])
      .put("height", 150 + id % 50 + 0.5)
      .put("weight", 50 + id % 50 + 0.25)
      .put("hair", new JsonObject().put("color", id % 3 == 0 ? "Brown" : "Black").put("type", id % 2 == 0 ? "Curly" : "Straight"))
      .put("ip", "10." + id % 256 + "." + (id / 256) % 256 + "." + mix % 256)
      .put("address", new JsonObject()
        .put("address", (id % 900 + 100) + " " + last + " Street")
        .put("city", CITIES[(int) (id % CITIES.length)])
        .put("state", "Demo State")
        .put("stateCode", "DS")
        .put("postalCode", String.format("%05d", id % 100_000))
        .put("coordinates", new JsonObject().put("lat", (id * 37 % 18000) / 100.0 - 90).put("lng", (id * 53 % 36000) / 100.0 - 180))
        .put("country", "United States"))
      .put("university", last + " University")
      .put("bank", new JsonObject()
        .put("cardExpire", String.format("%02d/%02d", 1 + id % 12, 26 + id % 5))
        .put("cardNumber", String.format("4%015d", Math.floorMod(mix * 31 + id, 1_000_000_000_000_000L)))
        .put("cardType", CARDS[(int) (id % CARDS.length)])
        .put("currency", "USD")
        .put("iban", String.format("DE%02d%018d", id % 100, Math.floorMod(mix * 7, 1_000_000_000_000_000_000L))))
      .put("company", new JsonObject()
        .put("department", "Engineering")
        .put("name", last + " Group")
        .put("title", "Engineer " + (1 + id % 3)))
      .put("ein", String.format("%03d-%03d", id % 1000, mix % 1000))
      .put("ssn", String.format("%03d-%02d-%04d", 900 + id % 100, mix % 100, id % 10_000))
      .put("userAgent", "Mozilla/5.0 (demo)")
      .put("crypto", new JsonObject()
        .put("coin", COINS[(int) (id % COINS.length)])
        .put("wallet", String.format("0x%016x%016x", mix, mix * 31 + id))
        .put("network", "Ethereum (ERC20)"))
      .put("role", id % 10 == 0 ? "admin" : "user");
  }

  private static JsonObject reqresUser(long id) {
    String first = FIRST[(int) (id % FIRST.length)];
    String last = LAST[(int) ((id / FIRST.length) % LAST.length)];
    return new JsonObject()
      .put("id", id)
      .put("email", first.toLowerCase(Locale.ROOT) + "." + last.toLowerCase(Locale.ROOT) + id + "@reqres.example")
      .put("first_name", first)
      .put("last_name", last)
      .put("avatar", "https://reqres.example/img/faces/" + id + "-image.jpg");
  }
}
