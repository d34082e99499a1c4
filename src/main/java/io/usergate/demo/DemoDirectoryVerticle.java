package io.usergate.demo;

import io.usergate.config.StartFailure;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ThreadLocalRandom;
import java.util.ArrayList;
import java.util.List;
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
  private static final String[] FIRST = {"Leanne", "Ervin", "Clementine", "Patricia", "Chelsey", "Dennis", "Kurtis",
    "Nicholas", "Glenna", "Clementina", "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald"};
  private static final String[] LAST = {"Graham", "Howell", "Bauch", "Lebsack", "Dietrich", "Schulist", "Weissnat",
    "Runolfsdottir", "Reichert", "DuBuque", "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth"};
  private static final String[] CITIES = {"Gwenborough", "Wisokyburgh", "McKenziehaven", "South Elvis", "Roscoeview",
    "South Christy", "Howemouth", "Aliyaview", "Bartholomebury", "Lebsackbury"};
  private static final String[] WORDS = {"multi-layered", "client-server", "neural-net", "proactive", "didactic",
    "synergize", "scalable", "real-time", "e-markets", "harness", "end-to-end", "supply-chains"};

  private HttpServer server;
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
    return vertx.createHttpServer()
      .requestHandler(this::handle)
      .listen(settings.port(), settings.host())
      .recover(failure -> StartFailure.bind("demo.port", settings.host(), settings.port(), failure))
      .onSuccess(listening -> {
        server = listening;
        LOG.info("demo: a generated directory of {} users on http://{}:{}{}{{id}} (latency {}±{} ms, {}% errors, {}% hangs)"
            + " — a stand-in for a real upstream", settings.users(), settings.host(), listening.actualPort(), PREFIX,
          settings.latencyMs(), settings.jitterMs(), settings.errorRate() * 100, settings.hangRate() * 100);
      });
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  public int actualPort() {
    return server.actualPort();
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
    if (overRate(request)) {
      return;
    }
    String path = request.path();
    if (path.equals("/users") || path.equals("/users/")) {
      bulk(request);
      return;
    }
    long id = path.startsWith(PREFIX) ? parseId(path.substring(PREFIX.length())) : -1;
    if (id < 1 || id > settings.users()) {
      request.response().setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end("{\"error\":\"no such user\"}");
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
        users.add(user(id));
      }
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    boolean fail = settings.errorRate() > 0 && random.nextDouble() < settings.errorRate();
    long delay = delay(random);
    Runnable answer = () -> {
      if (fail) {
        failed(request);
      } else {
        request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(users.toBuffer());
      }
    };
    if (delay <= 0) {
      answer.run();
    } else {
      vertx.timer(delay, TimeUnit.MILLISECONDS).onSuccess(t -> answer.run());
    }
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
        cached = user(id).toBuffer();
        cache[(int) id] = cached;
      }
      return cached;
    }
    return user(id).toBuffer();
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
          .put("lat", String.format(java.util.Locale.ROOT, "%.4f", (id * 37 % 18000) / 100.0 - 90))
          .put("lng", String.format(java.util.Locale.ROOT, "%.4f", (id * 53 % 36000) / 100.0 - 180))))
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
