package io.usergate.demo;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo directory in the shape of a production one ({@link DemoShape#identity()}): its paths under its base
 * path, its credentials (a token from its token endpoint, {@link DemoTokens}, or a static one), its one-user
 * answer, its bulk read where it has one, its list paging, its errors and its rate-limit headers, each as its
 * documentation describes them. Ids are strings ({@link DemoIds}); users are {@link IdentityUsers}.
 *
 * <ul>
 *   <li>Keycloak: {@code GET /admin/realms/demo/users/{id}}, {@code /users?first=&max=} (an array; max 100 when not
 *   given; the last page is short), {@code /users/count}; tokens at {@code POST /realms/demo/protocol/openid-connect/token}.</li>
 *   <li>SCIM: {@code GET /scim/v2/Users/{id}}, {@code /Users?startIndex=&count=} (1-based; count 20 when not given,
 *   100 at most) answering a ListResponse, {@code filter=id eq "a" or id eq "b"}; {@code Authorization: Bearer SECRET}.</li>
 *   <li>Okta: {@code GET /api/v1/users/{id}}, {@code /api/v1/users?limit=&after=} (200 at most, the next page in
 *   {@code Link: <…>; rel="next"}, DEPROVISIONED users left out), {@code filter=id eq "a" or …};
 *   {@code Authorization: SSWS SECRET}; {@code X-Rate-Limit-Limit/-Remaining/-Reset} per endpoint.</li>
 *   <li>Graph: {@code GET /v1.0/users/{id}} ({@code $select}; without it the default properties, accountEnabled not
 *   among them), {@code /users?$top=&$select=} (999 at most, the next page at {@code @odata.nextLink}),
 *   {@code $filter=id in ('a','b')} (15 values at most); tokens at {@code POST /{tenant}/oauth2/v2.0/token};
 *   429 with {@code Retry-After} beyond {@code demo.maxRatePerSecond}.</li>
 *   <li>Auth0: {@code GET /api/v2/users/{id}} (the id percent-encoded: {@code auth0%7C…}),
 *   {@code /users?page=&per_page=&include_totals=true} (page 0-based, per_page 50 when not given and 100 at most, no
 *   record beyond the first 1000); tokens at {@code POST /oauth/token} (client in the form, the audience
 *   {@code …/api/v2/}); {@code x-ratelimit-limit/-remaining/-reset}.</li>
 * </ul>
 */
final class IdentityDirectory {

  /** Graph's default properties of a user: what it sends without {@code $select}. */
  private static final List<String> GRAPH_DEFAULT = List.of("businessPhones", "displayName", "givenName", "jobTitle", "mail",
    "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id");
  private static final Pattern STATUS_TERM = Pattern.compile("\\s*status\\s+eq\\s+\"([A-Z_]+)\"\\s*", Pattern.CASE_INSENSITIVE);
  private static final Pattern EQ_TERM = Pattern.compile("\\s*id\\s+eq\\s+\"((?:[^\"\\\\]|\\\\.)*)\"\\s*", Pattern.CASE_INSENSITIVE);
  /** SCIM's {@code meta.lastModified gt "…"} and Okta's {@code lastUpdated gt "…"}, an RFC 3339 instant. */
  private static final Pattern CHANGED_SINCE = Pattern.compile("\\s*(?:meta\\.lastModified|lastUpdated)\\s+gt\\s+\"([^\"]+)\"\\s*",
    Pattern.CASE_INSENSITIVE);
  private static final Pattern GRAPH_IN = Pattern.compile("\\s*id\\s+in\\s+\\((.*)\\)\\s*");
  private static final Pattern GRAPH_VALUE = Pattern.compile("\\s*'((?:[^']|'')*)'\\s*");
  private static final int AUTH0_CAP = 1000;
  private static final int GRAPH_MAX_IN = 15;

  private final DemoSettings settings;
  private final DemoShape shape;
  private final DemoTokens tokens;
  private final LongSupplier clock;
  /** Answers after the demo's latency, or its failure ({@link DemoDirectoryVerticle}'s). */
  private final BiConsumer<HttpServerRequest, Runnable> later;
  /** Okta and Auth0: the minute's budget of each endpoint (calls made in it, and which minute). */
  private final long[] budgetMinute = new long[2];
  /** The users created, changed and removed since the start, numbered: what Graph's delta query answers from. */
  private final DemoChanges changes;
  private final int[] budgetUsed = new int[2];

  IdentityDirectory(DemoSettings settings, LongSupplier clock, BiConsumer<HttpServerRequest, Runnable> later) {
    this.settings = settings;
    this.shape = settings.shape();
    this.clock = clock;
    this.later = later;
    this.tokens = new DemoTokens(shape, settings.clientId(), settings.clientSecret(), settings.tokenLifetimeSeconds(), clock);
    this.changes = new DemoChanges(settings.users());
  }

  DemoChanges changes() {
    return changes;
  }

  /** User {@code n} as it is now: generated, with the fields changed since. */
  private JsonObject current(long n) {
    return changes.apply(n, IdentityUsers.user(shape, n));
  }

  DemoTokens tokens() {
    return tokens;
  }

  /** Whether this shape announces its budget in headers (and so answers 429 when it is spent, not per second). */
  boolean announcesBudget() {
    return shape == DemoShape.OKTA || shape == DemoShape.AUTH0;
  }

  /** The token endpoint's path, or null when this directory's credential is static. */
  String tokenPath() {
    return switch (shape) {
      case KEYCLOAK -> "/realms/demo/protocol/openid-connect/token";
      case ENTRA -> "/demo-tenant/oauth2/v2.0/token";
      case AUTH0 -> "/oauth/token";
      default -> null;
    };
  }

  void handle(HttpServerRequest request) {
    String path = request.path();
    if (path.equals(tokenPath())) {
      if (request.method() != HttpMethod.POST) {
        error(request, 405, "invalid_request", "the token endpoint takes POST");
        return;
      }
      request.setExpectMultipart(true);
      request.end().onSuccess(ended -> tokens.answer(request, request.formAttributes()));
      return;
    }
    String base = shape.basePath() + (shape == DemoShape.OKTA ? "/api/v1" : "");
    String collection = base + (shape == DemoShape.SCIM ? "/Users" : "/users");
    if (!path.equals(collection) && !path.startsWith(collection + "/")) {
      error(request, 404, "not_found", "no such path");
      return;
    }
    if (!authorised(request)) {
      return;
    }
    int endpoint = path.equals(collection) ? 1 : 0;
    if (announcesBudget() && !withinBudget(request, endpoint)) {
      return;
    }
    if (endpoint == 1) {
      later.accept(request, () -> list(request));
      return;
    }
    String rest = path.substring(collection.length() + 1);
    if (shape == DemoShape.ENTRA && rest.equals("delta")) {
      later.accept(request, () -> {
        try {
          graphDelta(request);
        } catch (BadRequest bad) {
          badRequest(request, bad.getMessage());
        }
      });
      return;
    }
    if (shape == DemoShape.KEYCLOAK && rest.equals("count")) {
      later.accept(request, () -> json(request, 200, settings.users()));
      return;
    }
    String id = URLDecoder.decode(rest.replace("+", "%2B"), StandardCharsets.UTF_8);
    long n = DemoIds.number(shape, id);
    later.accept(request, () -> {
      if (!changes.exists(n)) {
        notFound(request, id);
      } else {
        json(request, 200, shape == DemoShape.ENTRA ? graphOne(request, current(n)) : current(n));
      }
    });
  }

  /** The directory's credential: a live token of its endpoint, or its static one. 401 otherwise, in its words. */
  private boolean authorised(HttpServerRequest request) {
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    boolean valid = switch (shape) {
      case SCIM -> ("Bearer " + settings.clientSecret()).equals(authorization);
      case OKTA -> ("SSWS " + settings.clientSecret()).equals(authorization);
      default -> tokens.valid(authorization);
    };
    if (!valid) {
      HttpServerResponse response = request.response().setStatusCode(401).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
      switch (shape) {
        case SCIM -> response.end(scimError(401, null, "Authorization failure: a valid bearer token is required").encode());
        case OKTA -> response.end(new JsonObject().put("errorCode", "E0000011").put("errorSummary", "Invalid token provided")
          .put("errorCauses", new JsonArray()).encode());
        case ENTRA -> response.putHeader("WWW-Authenticate", "Bearer").end(new JsonObject().put("error", new JsonObject()
          .put("code", "InvalidAuthenticationToken").put("message", "Access token is empty or expired.")).encode());
        case AUTH0 -> response.putHeader("WWW-Authenticate", "Bearer").end(new JsonObject().put("statusCode", 401)
          .put("error", "Unauthorized").put("message", "Invalid token").encode());
        default -> response.putHeader("WWW-Authenticate", "Bearer realm=\"demo\"").end("{\"error\":\"HTTP 401 Unauthorized\"}");
      }
    }
    return valid;
  }

  /**
   * Okta's and Auth0's budget: calls per endpoint (one user; the list and its filter) per minute, told in every
   * answer with the minute's end as the reset (Unix seconds); spent: 429 until then.
   * {@code demo.maxRatePerSecond} × 60 a minute, or 100,000 when it is 0.
   */
  private boolean withinBudget(HttpServerRequest request, int endpoint) {
    long nowMs = clock.getAsLong();
    long minute = nowMs / 60_000;
    if (budgetMinute[endpoint] != minute) {
      budgetMinute[endpoint] = minute;
      budgetUsed[endpoint] = 0;
    }
    int limit = settings.maxRatePerSecond() > 0 ? settings.maxRatePerSecond() * 60 : 100_000;
    int used = ++budgetUsed[endpoint];
    String prefix = shape == DemoShape.OKTA ? "X-Rate-Limit-" : "x-ratelimit-";
    request.response().putHeader(prefix + "Limit", Integer.toString(limit))
      .putHeader(prefix + "Remaining", Integer.toString(Math.max(0, limit - used)))
      .putHeader(prefix + "Reset", Long.toString((minute + 1) * 60));
    if (used <= limit) {
      return true;
    }
    request.response().setStatusCode(429).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(shape == DemoShape.OKTA
      ? new JsonObject().put("errorCode", "E0000047").put("errorSummary", "API call exceeded rate limit due to too many requests.").encode()
      : new JsonObject().put("statusCode", 429).put("error", "Too Many Requests").put("message", "Global limit has been reached").encode());
    return false;
  }

  private void list(HttpServerRequest request) {
    try {
      switch (shape) {
        case KEYCLOAK -> keycloakList(request);
        case SCIM -> scimList(request);
        case OKTA -> oktaList(request);
        case ENTRA -> graphList(request);
        default -> auth0List(request);
      }
    } catch (BadRequest bad) {
      badRequest(request, bad.getMessage());
    }
  }

  private void keycloakList(HttpServerRequest request) {
    long first = number(request, "first", 0, Long.MAX_VALUE);
    int max = (int) number(request, "max", 100, DemoDirectoryVerticle.MAX_PAGE);
    json(request, 200, users(first + 1, max));
  }

  private void scimList(HttpServerRequest request) {
    long startIndex = Math.max(1, number(request, "startIndex", 1, Long.MAX_VALUE));
    int count = (int) Math.min(100, number(request, "count", 20, Integer.MAX_VALUE));
    JsonArray resources;
    long total;
    String filter = request.getParam("filter");
    if (filter != null) {
      List<Long> changed = changedSince(filter);
      JsonArray matches = changed != null ? byNumbers(changed) : byIds(eqTerms(filter, " or "));
      total = matches.size();
      resources = new JsonArray(matches.getList().subList((int) Math.min(matches.size(), startIndex - 1),
        (int) Math.min(matches.size(), startIndex - 1 + count)));
    } else {
      total = changes.count();
      resources = users(startIndex, count);
    }
    JsonObject answer = new JsonObject()
      .put("schemas", new JsonArray().add("urn:ietf:params:scim:api:messages:2.0:ListResponse"))
      .put("totalResults", total)
      .put("itemsPerPage", resources.size())
      .put("startIndex", startIndex);
    if (!resources.isEmpty()) {
      answer.put("Resources", resources);
    }
    json(request, 200, answer);
  }

  private void oktaList(HttpServerRequest request) {
    int limit = (int) Math.min(200, number(request, "limit", 200, Integer.MAX_VALUE));
    String filter = request.getParam("filter");
    List<Long> changed = filter == null ? null : changedSince(filter);
    if (changed != null) {
      // The users changed since, by number: a page of them from the cursor on, and a next link while more follow.
      long from = request.getParam("after") == null ? 1 : DemoIds.number(shape, request.getParam("after")) + 1;
      List<Long> rest = changed.stream().filter(n -> n >= from).toList();
      JsonArray page = byNumbers(rest.subList(0, Math.min(limit, rest.size())));
      if (rest.size() > limit) {
        String query = "filter=" + URLEncoder.encode(filter, StandardCharsets.UTF_8).replace("+", "%20");
        request.response().headers().add("Link", "<" + origin(request) + "/api/v1/users?" + query + "&after="
          + DemoIds.id(shape, rest.get(limit - 1)) + "&limit=" + limit + ">; rel=\"next\"");
      }
      json(request, 200, page);
      return;
    }
    Set<String> statuses = filter == null ? null : statuses(filter);
    if (filter != null && statuses == null) {
      json(request, 200, byIds(eqTerms(filter, " or ")));
      return;
    }
    if (request.getParam("search") != null) {
      throw new BadRequest("this demo's Okta takes filter=id eq \"…\" or filter=status eq \"…\", not search");
    }
    String after = request.getParam("after");
    long from = 1;
    if (after != null) {
      long n = DemoIds.number(shape, after);
      if (n < 1) {
        throw new BadRequest("after is not a cursor of this list");
      }
      from = n + 1;
    }
    // The plain list leaves the DEPROVISIONED out, as Okta's does; a filter on the status lists whom it names.
    JsonArray page = users(from, limit, statuses == null ? Set.of("ACTIVE") : statuses);
    String origin = origin(request);
    String query = filter == null ? "" : "filter=" + URLEncoder.encode(filter, StandardCharsets.UTF_8).replace("+", "%20") + "&";
    String self = "<" + origin + "/api/v1/users?" + query + "limit=" + limit + (after == null ? "" : "&after=" + after) + ">; rel=\"self\"";
    request.response().headers().add("Link", self);
    if (page.size() == limit) {
      String last = page.getJsonObject(page.size() - 1).getString("id");
      if (users(DemoIds.number(shape, last) + 1, 1, statuses == null ? Set.of("ACTIVE") : statuses).size() > 0) {
        request.response().headers().add("Link", "<" + origin + "/api/v1/users?" + query + "after=" + last + "&limit=" + limit
          + ">; rel=\"next\"");
      }
    }
    json(request, 200, page);
  }

  /** {@code status eq "ACTIVE" or status eq "DEPROVISIONED" ...}: the statuses it names; null when it is no such filter. */
  private static Set<String> statuses(String filter) {
    Set<String> statuses = new HashSet<>();
    for (String term : filter.split("(?i) or ")) {
      Matcher matcher = STATUS_TERM.matcher(term);
      if (!matcher.matches()) {
        return null;
      }
      statuses.add(matcher.group(1));
    }
    return statuses;
  }

  private void graphList(HttpServerRequest request) {
    String top = request.getParam("$top");
    int size = 100;
    if (top != null) {
      size = (int) number(request, "$top", 100, Integer.MAX_VALUE);
      if (size < 1 || size > 999) {
        throw new BadRequest("Invalid page size specified: '" + top + "'. Must be between 1 and 999 inclusive.");
      }
    }
    String select = request.getParam("$select");
    JsonArray value = new JsonArray();
    JsonObject answer = new JsonObject().put("@odata.context", origin(request) + shape.basePath() + "/$metadata#users");
    String filter = request.getParam("$filter");
    if (filter != null) {
      for (Object user : byIds(graphIds(filter))) {
        value.add(selected((JsonObject) user, select));
      }
      json(request, 200, answer.put("value", value));
      return;
    }
    long from = 1;
    String skipToken = request.getParam("$skiptoken");
    if (skipToken != null) {
      try {
        from = Long.parseLong(new String(Base64.getUrlDecoder().decode(skipToken), StandardCharsets.UTF_8).substring("from:".length()));
      } catch (RuntimeException e) {
        throw new BadRequest("Invalid $skiptoken");
      }
    }
    for (Object user : users(from, size)) {
      value.add(selected((JsonObject) user, select));
    }
    answer.put("value", value);
    long next = value.isEmpty() ? from + size : DemoIds.number(shape, value.getJsonObject(value.size() - 1).getString("id")) + 1;
    if (users(next, 1).size() > 0) {
      String token = Base64.getUrlEncoder().withoutPadding().encodeToString(("from:" + next).getBytes(StandardCharsets.UTF_8));
      answer.put("@odata.nextLink", origin(request) + shape.basePath() + "/users?$top=" + size
        + (select == null ? "" : "&$select=" + URLEncoder.encode(select, StandardCharsets.UTF_8)) + "&$skiptoken=" + token);
    }
    json(request, 200, answer);
  }

  /**
   * Graph's delta query of users ({@code GET /v1.0/users/delta}): with no token, every user, page after page
   * ({@code @odata.nextLink}, a {@code $skiptoken}), the last page with the {@code @odata.deltaLink} (a
   * {@code $deltatoken}) of the change log as it was when the round began; with that token, the users changed since,
   * each in its present state, or {@code {"id", "@removed": {"reason"}}} for one removed, to a new delta link. A
   * delta link older than {@code demo.deltaLinkMaxAgeMs} is refused as Graph refuses one older than 7 days: 400
   * {@code syncStateNotFound}. Page size: {@code $top} (this demo's convenience: Graph sizes delta pages itself, or by
   * {@code Prefer: odata.maxpagesize}), 100 when absent. {@code $select} is carried in the links, as Graph does.
   */
  private void graphDelta(HttpServerRequest request) {
    int size = (int) Math.max(1, Math.min(999, number(request, "$top", 100, 999)));
    String select = request.getParam("$select");
    String skipToken = request.getParam("$skiptoken");
    String deltaToken = request.getParam("$deltatoken");
    long now = clock.getAsLong();
    // A round: "i" (every user) or "c" (the changes after `after`), up to change `upTo`, at `position`.
    String mode;
    long after;
    long upTo;
    long position;
    if (skipToken != null) {
      String[] parts = decoded(skipToken, "s", 4, "Invalid $skiptoken");
      mode = parts[0];
      after = Long.parseLong(parts[1]);
      upTo = Long.parseLong(parts[2]);
      position = Long.parseLong(parts[3]);
    } else if (deltaToken != null) {
      String[] parts = decoded(deltaToken, "d", 2, "Invalid $deltatoken");
      long issuedAt = Long.parseLong(parts[1]);
      if (now - issuedAt > settings.deltaLinkMaxAgeMs()) {
        json(request, 400, new JsonObject().put("error", new JsonObject().put("code", "syncStateNotFound")
          .put("message", "The sync state generation is not found. The delta token is expired and data must be synchronized again.")));
        return;
      }
      mode = "c";
      after = Long.parseLong(parts[0]);
      upTo = changes.sequence();
      position = 0;
    } else {
      mode = "i";
      after = 0;
      upTo = changes.sequence();
      position = 1;
    }
    JsonArray value = new JsonArray();
    long next;
    boolean more;
    if (mode.equals("i")) {
      JsonArray page = users(position, size);
      page.forEach(user -> value.add(selected((JsonObject) user, select)));
      next = page.isEmpty() ? position : DemoIds.number(shape, page.getJsonObject(page.size() - 1).getString("id")) + 1;
      more = !page.isEmpty() && users(next, 1).size() > 0;
    } else {
      List<Long> changed = changes.changedBetween(after, upTo);
      int from = (int) Math.min(position, changed.size());
      int to = Math.min(changed.size(), from + size);
      for (long n : changed.subList(from, to)) {
        DemoChanges.Removal removal = changes.removal(n);
        value.add(removal != null ? new JsonObject().put("id", DemoIds.id(shape, n))
          .put("@removed", new JsonObject().put("reason", removal == DemoChanges.Removal.DELETED ? "deleted" : "changed"))
          : selected(current(n), select));
      }
      next = to;
      more = to < changed.size();
    }
    String link = origin(request) + shape.basePath() + "/users/delta?"
      + (select == null ? "" : "$select=" + URLEncoder.encode(select, StandardCharsets.UTF_8) + "&");
    JsonObject answer = new JsonObject().put("@odata.context", origin(request) + shape.basePath() + "/$metadata#users")
      .put("value", value);
    if (more) {
      answer.put("@odata.nextLink", link + "$top=" + size + "&$skiptoken=" + encoded("s", mode, after, upTo, next));
    } else {
      answer.put("@odata.deltaLink", link + "$deltatoken=" + encoded("d", upTo, now));
    }
    json(request, 200, answer);
  }

  private static String encoded(String kind, Object... parts) {
    StringBuilder text = new StringBuilder(kind);
    for (Object part : parts) {
      text.append(':').append(part);
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static String[] decoded(String token, String kind, int parts, String refusal) {
    try {
      String[] all = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(":");
      if (all.length != parts + 1 || !all[0].equals(kind)) {
        throw new BadRequest(refusal);
      }
      for (int i = 1; i < all.length; i++) {
        if (i > 1 || !kind.equals("s")) {
          Long.parseLong(all[i]);
        }
      }
      return Arrays.copyOfRange(all, 1, all.length);
    } catch (IllegalArgumentException e) {
      throw new BadRequest(refusal);
    }
  }

  private void auth0List(HttpServerRequest request) {
    long page = number(request, "page", 0, Long.MAX_VALUE);
    long perPage = number(request, "per_page", 50, Long.MAX_VALUE);
    if (perPage > 100) {
      throw new BadRequest("per_page must be at most 100");
    }
    long start = page * perPage;
    if (start >= AUTH0_CAP) {
      request.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("statusCode", 400).put("error", "Bad Request").put("errorCode", "invalid_paging")
          .put("message", "You can only page through the first 1000 records. "
            + "See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation").encode());
      return;
    }
    JsonArray users = users(start + 1, (int) Math.min(perPage, AUTH0_CAP - start));
    if (!"true".equals(request.getParam("include_totals"))) {
      json(request, 200, users);
      return;
    }
    json(request, 200, new JsonObject().put("start", start).put("limit", perPage).put("length", users.size())
      .put("users", users).put("total", Math.min(settings.users(), AUTH0_CAP)));
  }

  /** Users {@code from}, {@code from + 1}, ... at most {@code count} of them. */
  private JsonArray users(long from, int count) {
    return users(from, count, null);
  }

  /** As {@link #users(long, int)}, only those whose Okta status is in {@code statuses} (null: every user). */
  private JsonArray users(long from, int count, Set<String> statuses) {
    JsonArray users = new JsonArray();
    long highest = changes.highest();
    for (long n = from; n <= highest && users.size() < count; n++) {
      if (changes.exists(n) && (statuses == null || statuses.contains(IdentityUsers.deprovisioned(n) ? "DEPROVISIONED" : "ACTIVE"))) {
        users.add(current(n));
      }
    }
    return users;
  }

  private JsonArray byIds(List<String> ids) {
    JsonArray users = new JsonArray();
    for (String id : ids) {
      long n = DemoIds.number(shape, id);
      if (changes.exists(n)) {
        users.add(current(n));
      }
    }
    return users;
  }

  /** The users of a filter on the last-modified time, by number ({@link DemoChanges#changedAfter}); null when it is no such filter. */
  private List<Long> changedSince(String filter) {
    Matcher matcher = CHANGED_SINCE.matcher(filter);
    if (!matcher.matches()) {
      return null;
    }
    try {
      return changes.changedAfter(Instant.parse(matcher.group(1)));
    } catch (DateTimeParseException e) {
      throw new BadRequest("the filter's time is not RFC 3339: " + matcher.group(1));
    }
  }

  private JsonArray byNumbers(List<Long> numbers) {
    JsonArray users = new JsonArray();
    numbers.forEach(n -> users.add(current(n)));
    return users;
  }

  /** {@code id eq "a" or id eq "b"} (SCIM, Okta), JSON string escapes undone; anything else is a 400. */
  private static List<String> eqTerms(String filter, String join) {
    List<String> ids = new ArrayList<>();
    for (String term : filter.split("(?i)" + Pattern.quote(join))) {
      Matcher matcher = EQ_TERM.matcher(term);
      if (!matcher.matches()) {
        throw new BadRequest("unsupported filter term: only id eq \"…\" joined by or");
      }
      ids.add(matcher.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
    }
    return ids;
  }

  /** Graph's {@code id in ('a','b')}, at most 15 values, or {@code id eq 'a'}. */
  private static List<String> graphIds(String filter) {
    Matcher in = GRAPH_IN.matcher(filter);
    String values = in.matches() ? in.group(1) : filter.replaceFirst("^\\s*id\\s+eq\\s+", "");
    List<String> ids = new ArrayList<>();
    for (String value : values.split(",")) {
      Matcher quoted = GRAPH_VALUE.matcher(value);
      if (!quoted.matches()) {
        throw new BadRequest("Invalid filter clause: only id in ('…') or id eq '…'");
      }
      ids.add(quoted.group(1).replace("''", "'"));
    }
    if (ids.size() > GRAPH_MAX_IN) {
      throw new BadRequest("Too many child clauses specified in search filter expression containing 'OR' operators: "
        + ids.size() + ". Max allowed: " + GRAPH_MAX_IN + ".");
    }
    return ids;
  }

  /** Graph's one user: the properties {@code $select} names, else its default ones, with the context. */
  private JsonObject graphOne(HttpServerRequest request, JsonObject user) {
    return new JsonObject().put("@odata.context", origin(request) + shape.basePath() + "/$metadata#users/$entity")
      .mergeIn(selected(user, request.getParam("$select")));
  }

  private static JsonObject selected(JsonObject user, String select) {
    List<String> fields = select == null ? GRAPH_DEFAULT : List.of(select.split(","));
    JsonObject selected = new JsonObject();
    for (String field : fields) {
      if (user.containsKey(field.trim())) {
        selected.put(field.trim(), user.getValue(field.trim()));
      }
    }
    return selected;
  }

  private void notFound(HttpServerRequest request, String id) {
    Object body = switch (shape) {
      case KEYCLOAK -> new JsonObject().put("error", "User not found");
      case SCIM -> scimError(404, null, "Resource " + id + " not found");
      case OKTA -> new JsonObject().put("errorCode", "E0000007").put("errorSummary", "Not found: Resource not found: " + id + " (User)")
        .put("errorCauses", new JsonArray());
      case ENTRA -> new JsonObject().put("error", new JsonObject().put("code", "Request_ResourceNotFound")
        .put("message", "Resource '" + id + "' does not exist or one of its queried reference-property objects are not present."));
      default -> new JsonObject().put("statusCode", 404).put("error", "Not Found").put("message", "The user does not exist.")
        .put("errorCode", "inexistent_user");
    };
    json(request, 404, body);
  }

  private void badRequest(HttpServerRequest request, String message) {
    Object body = switch (shape) {
      case SCIM -> scimError(400, "invalidFilter", message);
      case OKTA -> new JsonObject().put("errorCode", "E0000031").put("errorSummary", "Invalid search criteria.")
        .put("errorCauses", new JsonArray().add(new JsonObject().put("errorSummary", message)));
      case ENTRA -> new JsonObject().put("error", new JsonObject().put("code", "Request_UnsupportedQuery").put("message", message));
      case AUTH0 -> new JsonObject().put("statusCode", 400).put("error", "Bad Request").put("message", message);
      default -> new JsonObject().put("error", message);
    };
    json(request, 400, body);
  }

  private static JsonObject scimError(int status, String scimType, String detail) {
    JsonObject error = new JsonObject().put("schemas", new JsonArray().add("urn:ietf:params:scim:api:messages:2.0:Error"))
      .put("status", Integer.toString(status)).put("detail", detail);
    return scimType == null ? error : error.put("scimType", scimType);
  }

  private static void error(HttpServerRequest request, int status, String error, String description) {
    json(request, status, new JsonObject().put("error", error).put("error_description", description));
  }

  private static void json(HttpServerRequest request, int status, Object body) {
    String text = body instanceof JsonObject object ? object.encode() : body instanceof JsonArray array ? array.encode() : String.valueOf(body);
    request.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE,
      status >= 400 && body instanceof JsonObject object && object.containsKey("schemas") ? "application/scim+json" : "application/json").end(text);
  }

  private static String origin(HttpServerRequest request) {
    // The address the caller used, so that the links it follows come back here.
    return "http://" + request.authority().host() + (request.authority().port() > 0 ? ":" + request.authority().port() : "");
  }

  /** A whole number parameter, {@code absent} when not given. */
  private static long number(HttpServerRequest request, String name, long absent, long max) {
    String text = request.getParam(name);
    if (text == null || text.isBlank()) {
      return absent;
    }
    try {
      long value = Long.parseLong(text.trim());
      if (value < 0) {
        throw new BadRequest(name + " must be a whole number ≥ 0");
      }
      return Math.min(value, max);
    } catch (NumberFormatException e) {
      throw new BadRequest(name + " must be a whole number ≥ 0");
    }
  }

  /** A request this directory refuses, 400, in its words. */
  private static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message, null, false, false);
    }
  }
}
