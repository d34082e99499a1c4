package io.usergate.bench;

import io.usergate.MainVerticle;
import io.usergate.demo.DemoDirectoryVerticle;
import io.usergate.store.PgSettings;
import io.usergate.store.PoolFactory;
import io.usergate.store.StoreAddresses;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.usergate.web.HttpVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
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
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /users/{id}} (upstream at 0 ms) and {@code GET /store/users/{id}} under wrk, side by side
 * with a bare Vert.x handler doing the same upstream call / the same SELECT with no router, bus or
 * semaphore: the cost of the architecture. The live path also runs on a second stack that writes every
 * answer through to PostgreSQL, which is the write-through's own cost.
 */
final class WebBench {

  private static final int USERS = 10_000;
  private static final String DURATION = System.getProperty("bench.wrkDuration", "5s");
  private static final String CONNECTIONS = System.getProperty("bench.wrkConnections", "64");

  /** Rounds of alternating runs; each figure is the best of its runs (this machine's speed moves between runs). */
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);

  record WrkResult(double requestsPerSecond, String p50, String p99, long errors) {
  }

  /** What wrk asks for: random ids under {@code path} on {@code port}, with the Lua table of {@code headers} (or none). */
  record Target(int port, String path, String headers) {

    String script() {
      return "request = function() return wrk.format(\"GET\", \"" + path + "\" .. math.random(1, " + USERS + ")"
        + (headers == null ? "" : ", " + headers) + ") end\n";
    }
  }

  /** A warm-up of each target, then {@link #ROUNDS} rounds of one run of each in turn: the best run of each. */
  static List<WrkResult> bestOf(List<Target> targets) throws Exception {
    List<Path> scripts = new ArrayList<>();
    try {
      for (Target target : targets) {
        Path script = Files.createTempFile("usergate-wrk", ".lua");
        Files.writeString(script, target.script());
        scripts.add(script);
        wrk(target.port(), script, "2s");
      }
      WrkResult[] best = new WrkResult[targets.size()];
      for (int round = 0; round < ROUNDS; round++) {
        for (int t = 0; t < targets.size(); t++) {
          WrkResult result = wrk(targets.get(t).port(), scripts.get(t), DURATION);
          if (best[t] == null || result.requestsPerSecond() > best[t].requestsPerSecond()) {
            best[t] = result;
          }
        }
      }
      return List.of(best);
    } finally {
      for (Path script : scripts) {
        Files.deleteIfExists(script);
      }
    }
  }

  static void run(Report report) throws Exception {
    if (!onPath("wrk")) {
      throw new IllegalStateException("wrk is not installed (scripts/bench installs it with apt-get)");
    }
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs");
    // As the launcher builds it: the native transport where it loads (bench.native=false: NIO). bench.eventLoops:
    // the size of the event-loop pool (default: Vert.x's, twice the cores).
    Integer eventLoops = Integer.getInteger("bench.eventLoops");
    VertxOptions options = new VertxOptions().setPreferNativeTransport(!"false".equals(System.getProperty("bench.native")));
    Vertx vertx = Vertx.vertx(eventLoops == null ? options : options.setEventLoopPoolSize(eventLoops));
    // A second stack, in a Vert.x (and on an event bus) of its own, for the write-through's row of the live path.
    Vertx writingVertx = null;
    try {
      JsonObject config = TestConfig.forTests();
      config.getJsonObject("demo").put("latencyMs", 0).put("jitterMs", 0).put("users", USERS);
      config.getJsonObject("http").put("drainDelayMs", 0);
      // As shipped: the store's hot rows and the cache on (the tests turn them off); the live path asks no-cache.
      config.getJsonObject("cache").put("memoryBytes", 64L * 1024 * 1024).put("freshForMs", 60_000L);
      DemoDirectoryVerticle demo = Stack.demoUpstream(vertx, config);
      HttpVerticle web = Stack.all(vertx, config);
      preload(vertx);

      HttpServer bare = bareServer(vertx, config, demo.actualPort());
      List<String> cases = List.of(System.getProperty("bench.paths", "live,cache,edge").split(","));
      String label = " under wrk (" + CONNECTIONS + " connections, best of " + ROUNDS + " alternating runs)";
      if (cases.contains("live")) {
        // The live path: GET /users/{id} with Cache-Control: no-cache, every request to the upstream. The mirror
        // holds what the upstream answers, so the write-through skips every rewrite (as it does for a directory
        // whose users rarely change); the second stack writes every answer (upstream.writeThroughMinIntervalMs 0),
        // which is the write-through's own cost.
        String noCache = "{[\"Cache-Control\"] = \"no-cache\"}";
        writingVertx = Vertx.vertx(eventLoops == null ? options : options.setEventLoopPoolSize(eventLoops));
        JsonObject writingConfig = config.copy();
        writingConfig.getJsonObject("upstream").put("writeThroughMinIntervalMs", 0);
        HttpVerticle writingWeb = Stack.all(writingVertx, writingConfig);
        Target live = new Target(web.actualPort(), "/users/", noCache);
        Target writing = new Target(writingWeb.actualPort(), "/users/", noCache);
        Target bareCall = new Target(bare.actualPort(), "/users/", null);
        List<WrkResult> best = bestOf(List.of(live, writing, bareCall));
        String bareName = "bare handler (the same upstream call), p50 " + best.get(2).p50() + ", p99 " + best.get(2).p99();
        report.add("GET /users/{id}, Cache-Control: no-cache (the live path, the upstream at 0 ms, identical rewrites skipped)" + label
            + ", p50 " + best.get(0).p50() + ", p99 " + best.get(0).p99() + ", errors " + best.get(0).errors(),
          best.get(0).requestsPerSecond(), "req/s", bareName, best.get(2).requestsPerSecond(), "≥ 0.8");
        report.add("the same, every answer written through to PostgreSQL (upstream.writeThroughMinIntervalMs 0), p50 " + best.get(1).p50()
            + ", p99 " + best.get(1).p99() + ", errors " + best.get(1).errors(), best.get(1).requestsPerSecond(), "req/s",
          bareName, best.get(2).requestsPerSecond(), "(the write-through's cost: this row against the one above)");
        report.add("the write-through's cost: every answer written against identical rewrites skipped, same runs",
          best.get(1).requestsPerSecond(), "req/s", "identical rewrites skipped", best.get(0).requestsPerSecond(), "(1 = free)");
      }
      if (cases.contains("cache")) {
        // Hot ids: every one asked once on each route, so that what is measured is the hits, not the first reads.
        warm(vertx, web.actualPort(), "/users/");
        warm(vertx, web.actualPort(), "/store/users/");
        Target hits = new Target(web.actualPort(), "/users/", null);
        Target stored = new Target(web.actualPort(), "/store/users/", null);
        Target bareSelect = new Target(bare.actualPort(), "/store/users/", null);
        List<WrkResult> best = bestOf(List.of(hits, stored, bareSelect));
        WrkResult bareBest = best.get(2);
        String bareName = "bare handler (the same SELECT), p50 " + bareBest.p50() + ", p99 " + bareBest.p99();
        report.add("GET /store/users/{id}, 10,000 hot ids" + label + ", p50 " + best.get(1).p50() + ", p99 " + best.get(1).p99()
            + ", errors " + best.get(1).errors(), best.get(1).requestsPerSecond(), "req/s", bareName, bareBest.requestsPerSecond(),
          "≥ 1.5, p99 ≤ the bare p99");
        report.add("GET /users/{id}, 10,000 hot ids (cache hits)" + label + ", p50 " + best.get(0).p50() + ", p99 " + best.get(0).p99()
            + ", errors " + best.get(0).errors(), best.get(0).requestsPerSecond(), "req/s", bareName, bareBest.requestsPerSecond(),
          "≥ 0.95 × 1.5 = 1.43");
        report.add("GET /users/{id} hits against GET /store/users/{id}, same runs", best.get(0).requestsPerSecond(), "req/s",
          "GET /store/users/{id}", best.get(1).requestsPerSecond(), "≥ 0.95");
      }
      if (cases.contains("edge")) {
        // Issue 22's aim: hits of the web on every event loop, as main deploys it, against a bare handler on every
        // event loop that serves the same users' bytes from a map: the cost of everything usergate does for a hit.
        int instances = eventLoops == null ? VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE : eventLoops;
        int webPort = freePort();
        JsonObject webConfig = MainVerticle.configFor(MainVerticle.WEB, config);
        webConfig.getJsonObject("http").put("port", webPort);
        vertx.deployVerticle(HttpVerticle::new, new DeploymentOptions().setConfig(webConfig).setInstances(instances))
          .await(30, TimeUnit.SECONDS);
        warm(vertx, webPort, "/users/");
        int mapPort = bareMap(vertx, instances);
        List<WrkResult> best = bestOf(List.of(new Target(webPort, "/users/", null), new Target(mapPort, "/users/", null)));
        report.add("GET /users/{id}, 10,000 hot ids (cache hits), the web on " + instances + " event loops" + label + ", p50 "
            + best.get(0).p50() + ", p99 " + best.get(0).p99() + ", errors " + best.get(0).errors(), best.get(0).requestsPerSecond(),
          "req/s", "a bare handler on " + instances + " event loops serving the same users' bytes from a map, p50 " + best.get(1).p50()
            + ", p99 " + best.get(1).p99(), best.get(1).requestsPerSecond(), "≥ 0.8");
      }
    } finally {
      if (writingVertx != null) {
        writingVertx.close().await(30, TimeUnit.SECONDS);
      }
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

  /** Asks for every id once under {@code path}, 64 at a time. */
  static void warm(Vertx vertx, int port, String path) throws Exception {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultPort(port).setDefaultHost("127.0.0.1"),
      new PoolOptions().setHttp1MaxSize(64));
    try {
      StoreBench.closedLoop(USERS, 64, i -> client.request(HttpMethod.GET, path + (i + 1))
        .compose(request -> request.send().compose(response -> response.body())).mapEmpty());
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** A free port on loopback, for servers that several verticle instances share. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** The least a hit can cost: every user's bytes in a map, served by a handler on each of {@code instances} event loops. */
  private static int bareMap(Vertx vertx, int instances) throws Exception {
    Map<Long, Buffer> users = new ConcurrentHashMap<>();
    for (long id = 1; id <= USERS; id++) {
      users.put(id, DemoDirectoryVerticle.user(id).toBuffer());
    }
    int port = freePort();
    vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        return vertx.createHttpServer().requestHandler(request -> {
          Buffer user = users.get(Long.parseLong(request.path().substring("/users/".length())));
          request.response().putHeader("content-type", "application/json").end(user);
        }).listen(port, "127.0.0.1");
      }
    }, new DeploymentOptions().setInstances(instances)).await(30, TimeUnit.SECONDS);
    return port;
  }

  /** The same work with nothing in between: one HttpClient call, or one SELECT, straight from the handler. */
  private static HttpServer bareServer(Vertx vertx, JsonObject config, int upstreamPort) throws Exception {
    HttpClient upstream = vertx.createHttpClient(new HttpClientOptions().setDefaultPort(upstreamPort).setDefaultHost("127.0.0.1"),
      new PoolOptions().setHttp1MaxSize(config.getJsonObject("upstream").getInteger("maxConcurrent")));
    SqlClient reads = PoolFactory.createReadClient(vertx, PgSettings.from(config));
    return vertx.createHttpServer().requestHandler(request -> {
      String path = request.path();
      if (path.startsWith("/store/users/")) {
        String id = path.substring("/store/users/".length());
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
