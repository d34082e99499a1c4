package io.usergate.demo;

import io.usergate.config.StartFailure;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for the upstream directory, so that usergate runs, is tested and is benchmarked with no
 * external service: {@code GET /users/{id}} for ids 1..{@code demo.users}, generated the same way every
 * time, and the bulk endpoint {@code GET /users?id=1&id=2} (or {@code ?ids=1,2}: an array of those that
 * exist), with configurable latency, failure rate (503), hang rate (no answer at all) and request rate
 * (beyond {@code demo.maxRatePerSecond}, 429 with {@code Retry-After}, as a rate-limited directory does).
 * Configuration: the {@code demo} section ({@link DemoSettings}). Deployed only when {@code demo.enabled} is true.
 */
public class DemoDirectoryVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(DemoDirectoryVerticle.class);
  private static final String PREFIX = "/users/";
  /** The query parameters of a paged list, in the styles of the real directories. */
  private static final List<String> PAGE_PARAMETERS = List.of("limit", "skip", "page", "per_page", "_page", "_limit");
  /** The most users one list page holds. */
  static final int MAX_PAGE = 1000;
  private static final String[] FIRST = {"Leanne", "Ervin", "Clementine", "Patricia", "Chelsey", "Dennis", "Kurtis",
    "Nicholas", "Glenna", "Clementina", "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald"};
  private static final String[] LAST = {"Graham", "Howell", "Bauch", "Lebsack", "Dietrich", "Schulist", "Weissnat",
    "Runolfsdottir", "Reichert", "DuBuque", "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth"};
  private static final String[] CITIES = {"Gwenborough", "Wisokyburgh", "McKenziehaven", "South Elvis", "Roscoeview",
    "South Christy", "Howemouth", "Aliyaview", "Bartholomebury", "Lebsackbury"};
  private static final String[] WORDS = {"multi-layered", "client-server", "neural-net", "proactive", "didactic",
    "synergize", "scalable", "real-time", "e-markets", "harness", "end-to-end", "supply-chains"};

  private HttpServer server;
  /** The production shapes' directory (keycloak, scim, okta, entra, auth0); null for the others. */
  private IdentityDirectory identity;
  private Buffer[] cache;
  private DemoSettings settings;
  /** The rate limit's window: the second it counts, and how many requests it served in it. */
  private long windowSecond;
  private int windowRequests;
  private long requests;
  private long refused;

  @Override
  public Future<?> start() {
    settings = DemoSettings.from(config());
    cache = new Buffer[Math.min(settings.users(), 1_000_000) + 1];
    identity = settings.shape().identity() ? new IdentityDirectory(settings, System::currentTimeMillis, this::later) : null;
    return vertx.createHttpServer()
      .requestHandler(this::handle)
      .listen(settings.port(), settings.host())
      .recover(failure -> StartFailure.bind("demo.port", settings.host(), settings.port(), failure))
      .onSuccess(listening -> {
        server = listening;
        LOG.info("demo: a generated directory of {} users on http://{}:{}{}{{id}}, shaped {}{} (latency {}±{} ms, {}% errors,"
            + " {}% hangs) — a stand-in for a real upstream", settings.users(), settings.host(), listening.actualPort(),
          identity == null ? PREFIX : settings.shape().basePath() + (settings.shape() == DemoShape.OKTA ? "/api/v1" : "")
            + (settings.shape() == DemoShape.SCIM ? "/Users/" : "/users/"),
          settings.shape().name().toLowerCase(Locale.ROOT),
          settings.requiredHeaders().isEmpty() ? "" : ", requiring headers " + settings.requiredHeaders().keySet(),
          settings.latencyMs(), settings.jitterMs(), settings.errorRate() * 100, settings.hangRate() * 100);
        if (identity != null && settings.users() >= 3) {
          // String ids nobody could guess: a few to try (GET /users/{id} on usergate, the | percent-encoded).
          LOG.info("demo: users 1, 2, 3 of the {} directory are {}, {}, {}", settings.shape().name().toLowerCase(Locale.ROOT),
            DemoIds.id(settings.shape(), 1), DemoIds.id(settings.shape(), 2), DemoIds.id(settings.shape(), 3));
        }
      });
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  public int actualPort() {
    return server.actualPort();
  }

  /** Where the upstream's base URL is on this demo: its port and the shape's base path. */
  public String baseUrl() {
    return "http://" + settings.host() + ":" + actualPort() + settings.shape().basePath();
  }

  /**
   * The credentials an upstream needs to reach this demo, as {@code upstream} keys: for the shapes with tokens
   * the token endpoint, the client and its secret (and Auth0's audience); SCIM's static bearer token and Okta's
   * {@code SSWS} API token as {@code upstream.headers}; nothing for the others.
   */
  public JsonObject credentials() {
    JsonObject keys = new JsonObject();
    if (identity == null) {
      return keys;
    }
    String origin = "http://" + settings.host() + ":" + actualPort();
    switch (settings.shape()) {
      case SCIM -> keys.put("headers", new JsonObject().put("Authorization", "Bearer " + settings.clientSecret()));
      case OKTA -> keys.put("headers", new JsonObject().put("Authorization", "SSWS " + settings.clientSecret()));
      default -> {
        keys.put("tokenUrl", origin + identity.tokenPath()).put("clientId", settings.clientId())
          .put("clientSecret", settings.clientSecret());
        if (settings.shape() == DemoShape.AUTH0) {
          keys.put("tokenAudience", baseUrl() + "/");
        }
      }
    }
    return keys;
  }

  /**
   * The change log of a production-shaped demo (users created, changed, removed since the start; Graph's delta
   * query answers from it), for tests and benchmarks; null for the other shapes.
   */
  public DemoChanges changes() {
    return identity == null ? null : identity.changes();
  }

  /** Tokens the demo's token endpoint handed out (the production shapes that use tokens), for tests. */
  public long tokensIssued() {
    return identity == null ? 0 : identity.tokens().issued();
  }

  /** Requests answered (429s included), for benchmarks that run the demo in-process. */
  public long requests() {
    return requests;
  }

  /** Requests answered 429 because of {@code demo.maxRatePerSecond}. */
  public long refused() {
    return refused;
  }

  private void handle(HttpServerRequest request) {
    requests++;
    if (identity != null) {
      // Okta and Auth0 say their budget in headers and refuse when it is spent; the others refuse beyond the rate.
      if (identity.announcesBudget() || !overRate(request)) {
        identity.handle(request);
      }
      return;
    }
    if (overRate(request) || !authorised(request)) {
      return;
    }
    String path = request.path();
    if (path.equals("/users") || path.equals("/users/")) {
      boolean byIds = request.params().contains("id") || request.params().contains("ids");
      boolean paged = PAGE_PARAMETERS.stream().anyMatch(request.params()::contains);
      // A plain /users with neither is the bulk endpoint asked for nothing ([]), as it always was.
      if (!byIds && (paged || settings.shape() != DemoShape.PLAIN)) {
        page(request);
      } else {
        bulk(request);
      }
      return;
    }
    long id = path.startsWith(PREFIX) ? parseId(path.substring(PREFIX.length())) : -1;
    if (id < 1 || id > settings.users()) {
      request.response().setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(settings.shape().notFound(id));
      return;
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (settings.hangRate() > 0 && random.nextDouble() < settings.hangRate()) {
      return;
    }
    boolean fail = settings.errorRate() > 0 && random.nextDouble() < settings.errorRate();
    long delay = delay(random);
    if (delay <= 0) {
      answer(request, id, fail);
    } else {
      vertx.timer(delay, TimeUnit.MILLISECONDS).onSuccess(t -> answer(request, id, fail));
    }
  }

  /**
   * demo.requiredHeaders, as a directory that wants an API key checks it: each header present with its
   * value (compared in constant time), else 401. The answer names the header, never a value.
   */
  private boolean authorised(HttpServerRequest request) {
    for (Map.Entry<String, String> required : settings.requiredHeaders().entrySet()) {
      String sent = request.getHeader(required.getKey());
      if (sent == null || !MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
        required.getValue().getBytes(StandardCharsets.UTF_8))) {
        request.response().setStatusCode(401).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(new JsonObject().put("error", "missing or wrong " + required.getKey()).encode());
        return false;
      }
    }
    return true;
  }

  /**
   * A page of the whole directory, by offset ({@code ?limit=30&skip=60}, DummyJSON), by page
   * ({@code ?page=2&per_page=6}, reqres) or json-server style ({@code ?_page=2&_limit=10}), in the shape's
   * list answer; at most {@link #MAX_PAGE} users.
   */
  private void page(HttpServerRequest request) {
    long skip;
    int size;
    try {
      if (request.params().contains("page") || request.params().contains("per_page")) {
        size = pageParameter(request, "per_page", settings.shape().defaultPageSize());
        skip = (long) (Math.max(1, pageParameter(request, "page", 1)) - 1) * size;
      } else if (request.params().contains("_page") || request.params().contains("_limit")) {
        size = pageParameter(request, "_limit", settings.shape().defaultPageSize());
        skip = (long) (Math.max(1, pageParameter(request, "_page", 1)) - 1) * size;
      } else {
        size = pageParameter(request, "limit", settings.shape().defaultPageSize());
        skip = pageParameter(request, "skip", 0);
      }
    } catch (IllegalArgumentException e) {
      request.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", e.getMessage()).encode());
      return;
    }
    // limit=0 is "all" at DummyJSON: here, the most one page holds.
    int asked = size == 0 || size > MAX_PAGE ? MAX_PAGE : size;
    JsonArray users = new JsonArray();
    for (long id = skip + 1; id <= settings.users() && id <= skip + asked; id++) {
      users.add(settings.shape().user(id));
    }
    Object answer = settings.shape().page(users, settings.users(), skip, asked);
    // json-server's way of telling the total; the other shapes say it in the body as well.
    later(request, () -> request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
      .putHeader("X-Total-Count", Long.toString(settings.users())).end(Json.encodeToBuffer(answer)));
  }

  private static int pageParameter(HttpServerRequest request, String name, int absent) {
    String text = request.getParam(name);
    if (text == null) {
      return absent;
    }
    long value = parseId(text.trim());
    if (text.trim().equals("0")) {
      return 0;
    }
    if (value < 1 || value > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(name + " must be a whole number ≥ 0");
    }
    return (int) value;
  }

  /** After the demo's latency, answered or failed as demo.errorRate says. */
  private void later(HttpServerRequest request, Runnable answer) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    boolean fail = settings.errorRate() > 0 && random.nextDouble() < settings.errorRate();
    long delay = delay(random);
    Runnable reply = () -> {
      if (fail) {
        failed(request);
      } else {
        answer.run();
      }
    };
    if (delay <= 0) {
      reply.run();
    } else {
      vertx.timer(delay, TimeUnit.MILLISECONDS).onSuccess(t -> reply.run());
    }
  }

  /** Beyond demo.maxRatePerSecond in this second: 429, come back when the next second starts. */
  private boolean overRate(HttpServerRequest request) {
    int limit = settings.maxRatePerSecond();
    if (limit == 0) {
      return false;
    }
    long nowMs = System.currentTimeMillis();
    long second = nowMs / 1000;
    if (second != windowSecond) {
      windowSecond = second;
      windowRequests = 0;
    }
    if (++windowRequests <= limit) {
      return false;
    }
    refused++;
    request.response().setStatusCode(429).putHeader(HttpHeaders.RETRY_AFTER, "1")
      .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
      .end("{\"error\":\"more than demo.maxRatePerSecond requests this second\"}");
    return true;
  }

  /** {@code ?id=1&id=2} or {@code ?ids=1,2}: the users that exist, as an array, after one delay. */
  private void bulk(HttpServerRequest request) {
    JsonArray users = new JsonArray();
    List<String> values = new ArrayList<>(request.params().getAll("id"));
    request.params().getAll("ids").forEach(list -> values.addAll(List.of(list.split(","))));
    for (String value : values) {
      long id = parseId(value.trim());
      if (id >= 1 && id <= settings.users()) {
        users.add(settings.shape().user(id));
      }
    }
    Object answer = settings.shape().bulk(users);
    later(request, () -> request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(Json.encodeToBuffer(answer)));
  }

  private long delay(ThreadLocalRandom random) {
    int jitterMs = settings.jitterMs();
    return settings.latencyMs() + (jitterMs > 0 ? random.nextLong(-jitterMs, jitterMs + 1) : 0);
  }

  private static void failed(HttpServerRequest request) {
    request.response().setStatusCode(503).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
      .end("{\"error\":\"the demo directory failed on purpose (demo.errorRate)\"}");
  }

  private void answer(HttpServerRequest request, long id, boolean fail) {
    if (fail) {
      failed(request);
      return;
    }
    request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body(id));
  }

  private Buffer body(long id) {
    if (id < cache.length) {
      Buffer cached = cache[(int) id];
      if (cached == null) {
        cached = settings.shape().one(id).toBuffer();
        cache[(int) id] = cached;
      }
      return cached;
    }
    return settings.shape().one(id).toBuffer();
  }

  /** The user with this id: the same every time, shaped like the common public demo directories. */
  public static JsonObject user(long id) {
    String first = FIRST[(int) (id % FIRST.length)];
    String last = LAST[(int) ((id / FIRST.length) % LAST.length)];
    String username = first.toLowerCase() + "." + last.toLowerCase() + id;
    String city = CITIES[(int) (id % CITIES.length)];
    return new JsonObject()
      .put("id", id)
      .put("name", first + " " + last)
      .put("username", username)
      .put("email", username + "@example.test")
      .put("address", new JsonObject()
        .put("street", (id % 900 + 100) + " " + last + " Street")
        .put("suite", "Suite " + (id % 1000))
        .put("city", city)
        .put("zipcode", String.format("%05d", id % 100_000))
        .put("geo", new JsonObject()
          .put("lat", String.format(Locale.ROOT, "%.4f", (id * 37 % 18000) / 100.0 - 90))
          .put("lng", String.format(Locale.ROOT, "%.4f", (id * 53 % 36000) / 100.0 - 180))))
      .put("phone", "1-555-" + String.format("%07d", id % 10_000_000))
      .put("website", username + ".example.test")
      .put("company", new JsonObject()
        .put("name", last + " Group")
        .put("catchPhrase", WORDS[(int) (id % WORDS.length)] + " " + WORDS[(int) ((id / 3) % WORDS.length)])
        .put("bs", WORDS[(int) ((id / 7) % WORDS.length)] + " " + WORDS[(int) ((id / 11) % WORDS.length)]));
  }

  private static long parseId(String text) {
    if (text.isEmpty() || text.length() > 18) {
      return -1;
    }
    long id = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      id = id * 10 + (c - '0');
    }
    return id;
  }
}
