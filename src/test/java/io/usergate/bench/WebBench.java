package io.usergate.bench;

import io.usergate.demo.DemoDirectoryVerticle;
import io.usergate.store.PoolFactory;
import io.usergate.store.StoreAddresses;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.usergate.web.HttpVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /users/{id}} (upstream at 0 ms) and {@code GET /store/users/{id}} under wrk, side by side
 * with a bare Vert.x handler doing the same upstream call / the same SELECT with no router, bus or
 * semaphore: the cost of the architecture.
 */
final class WebBench {

  private static final int USERS = 10_000;
  private static final String DURATION = System.getProperty("bench.wrkDuration", "8s");
  private static final String CONNECTIONS = System.getProperty("bench.wrkConnections", "64");

  record WrkResult(double requestsPerSecond, String p50, String p99, long errors) {
  }

  static void run(Report report) throws Exception {
    if (!onPath("wrk")) {
      throw new IllegalStateException("wrk is not installed (scripts/bench installs it with apt-get)");
    }
    TestDatabase.execute(TestDatabase.pg(), "usergate", "TRUNCATE users", "TRUNCATE sync_jobs");
    // bench.eventLoops: the size of the event-loop pool (default: Vert.x's, twice the cores).
    Integer eventLoops = Integer.getInteger("bench.eventLoops");
    Vertx vertx = eventLoops == null ? Vertx.vertx() : Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(eventLoops));
    try {
      JsonObject config = TestConfig.forTests();
      config.getJsonObject("demo").put("latencyMs", 0).put("jitterMs", 0).put("users", USERS);
      config.getJsonObject("http").put("drainDelayMs", 0);
      // As shipped: the store's hot rows and the cache on (the tests turn them off); the live path asks no-cache.
      config.getJsonObject("cache").put("storeHotBytes", 64L * 1024 * 1024).put("freshForMs", 60_000L);
      DemoDirectoryVerticle demo = Stack.demoUpstream(vertx, config);
      HttpVerticle web = Stack.all(vertx, config);
      preload(vertx);

      HttpServer bare = bareServer(vertx, config, demo.actualPort());
      Path script = Files.createTempFile("usergate-wrk", ".lua");
      Path bareScript = Files.createTempFile("usergate-wrk-bare", ".lua");
      try {
        for (String path : System.getProperty("bench.paths", "live,/users/,/store/users/").split(",")) {
          // "live": GET /users/{id} with Cache-Control: no-cache, every request to the upstream.
          boolean live = path.equals("live");
          String uri = live ? "/users/" : path;
          Files.writeString(script, "request = function() return wrk.format(\"GET\", \"" + uri
            + "\" .. math.random(1, " + USERS + ")" + (live ? ", {[\"Cache-Control\"] = \"no-cache\"}" : "") + ") end\n");
          // A hit is measured against the bare handler's SELECT, as the store route is; the live path against its upstream call.
          Files.writeString(bareScript, "request = function() return wrk.format(\"GET\", \"" + (live ? "/users/" : "/store/users/")
            + "\" .. math.random(1, " + USERS + ")) end\n");
          wrk(web.actualPort(), script, "2s");
          wrk(bare.actualPort(), bareScript, "2s");
          WrkResult usergate = wrk(web.actualPort(), script, DURATION);
          WrkResult baseline = wrk(bare.actualPort(), bareScript, DURATION);
          String what = live ? "GET /users/{id}, Cache-Control: no-cache (the live path, the upstream at 0 ms)"
            : path.equals("/users/") ? "GET /users/{id}, 10,000 hot ids (cache hits)" : "GET /store/users/{id}, 10,000 hot ids";
          report.add(what + " under wrk (" + CONNECTIONS + " connections), p50 " + usergate.p50()
              + ", p99 " + usergate.p99() + ", errors " + usergate.errors(), usergate.requestsPerSecond(), "req/s",
            "bare handler (" + (live ? "the same upstream call" : "the same SELECT") + "), p50 "
              + baseline.p50() + ", p99 " + baseline.p99(), baseline.requestsPerSecond(),
            live ? "≥ 0.8" : path.startsWith("/store/") ? "≥ 1.5, p99 ≤ the bare p99" : "≥ 0.95 × 1.5 = 1.43");
        }
      } finally {
        Files.deleteIfExists(script);
        Files.deleteIfExists(bareScript);
      }
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  static void preload(Vertx vertx) throws Exception {
    for (int from = 1; from <= USERS; from += 1000) {
      JsonArray users = new JsonArray();
      for (long id = from; id < from + 1000; id++) {
        users.add(DemoDirectoryVerticle.user(id));
      }
      vertx.eventBus().request(StoreAddresses.UPSERT, new JsonObject().put("users", users)).await(30, TimeUnit.SECONDS);
    }
  }

  /** The same work with nothing in between: one HttpClient call, or one SELECT, straight from the handler. */
  private static HttpServer bareServer(Vertx vertx, JsonObject config, int upstreamPort) throws Exception {
    HttpClient upstream = vertx.createHttpClient(new HttpClientOptions().setDefaultPort(upstreamPort).setDefaultHost("127.0.0.1"),
      new PoolOptions().setHttp1MaxSize(config.getJsonObject("upstream").getInteger("maxConcurrent")));
    SqlClient reads = PoolFactory.createReadClient(vertx, io.usergate.store.PgSettings.from(config));
    return vertx.createHttpServer().requestHandler(request -> {
      String path = request.path();
      if (path.startsWith("/store/users/")) {
        long id = Long.parseLong(path.substring("/store/users/".length()));
        reads.preparedQuery("SELECT profile, fetched_at FROM users WHERE id = $1").execute(Tuple.of(id))
          .onSuccess(rows -> {
            Row row = rows.iterator().next();
            request.response().putHeader("content-type", "application/json").end(row.getJsonObject("profile").toBuffer());
          })
          .onFailure(failure -> request.response().setStatusCode(500).end());
      } else {
        upstream.request(HttpMethod.GET, path)
          .compose(outbound -> outbound.send().compose(response -> response.body()))
          // Parsed and encoded again, as the bare gate does: usergate must read the user to check it.
          .onSuccess(body -> request.response().putHeader("content-type", "application/json").end(body.toJsonObject().toBuffer()))
          .onFailure(failure -> request.response().setStatusCode(502).end());
      }
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  static WrkResult wrk(int port, Path script, String duration) throws IOException, InterruptedException {
    Process process = new ProcessBuilder("wrk", "-t2", "-c" + CONNECTIONS, "-d" + duration, "--latency", "-s", script.toString(),
      "http://127.0.0.1:" + port).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    process.waitFor();
    return new WrkResult(Double.parseDouble(find(output, "Requests/sec:\\s+([0-9.]+)")),
      find(output, "\\s50%\\s+(\\S+)"), find(output, "\\s99%\\s+(\\S+)"),
      output.contains("Non-2xx") ? Long.parseLong(find(output, "Non-2xx or 3xx responses:\\s+(\\d+)")) : 0);
  }

  private static String find(String text, String regex) {
    Matcher matcher = Pattern.compile(regex).matcher(text);
    if (!matcher.find()) {
      throw new IllegalStateException("wrk output without " + regex + ":\n" + text);
    }
    return matcher.group(1);
  }

  static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  private WebBench() {
  }
}
