package io.usergate.web;

import io.usergate.MainVerticle;
import io.usergate.fetch.FetchAddresses;
import io.usergate.metrics.Metrics;
import io.usergate.store.StoreAddresses;
import io.usergate.support.FakeDirectory;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What Prometheus pays for each scrape of a node: the series of {@code /metrics}, counted as Prometheus
 * counts them (a line of the text format that is not a comment), on the whole stack started as the
 * launcher starts it, idle and then after hostile, varied traffic. The test's own HTTP client runs in a
 * Vert.x of its own, without metrics, so that only the service's meters are counted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsBudgetTest {

  static final int IDLE_BUDGET = 600;
  static final int BUSY_BUDGET = 1_500;
  private static final int DISTINCT_IDS = 100_000;
  private static final int IN_FLIGHT = 64;
  private static final int MAX_BODY = 4096;
  private static final String TOKEN = "budget-token";
  private static final List<String> INVENTED_METHODS = List.of("FOO", "BREW", "PROPFIND", "X-" + "Y".repeat(40));

  private static Vertx vertx;
  private static Vertx callers;
  private static WebClient client;
  private static WebClient pipelined;
  private static FakeDirectory upstream;
  private static HttpVerticle web;
  private static int port;

  @BeforeAll
  static void deploy() throws Exception {
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs");
    vertx = Metrics.vertxBuilder(new VertxOptions()).build();
    upstream = new FakeDirectory().deployOn(vertx);
    JsonObject config = TestConfig.against(upstream);
    config.getJsonObject("upstream").put("timeoutMs", 300);
    config.getJsonObject("auth").put("token", TOKEN);
    config.getJsonObject("sync").put("intervalMs", 60_000);
    config.getJsonObject("http").put("drainDelayMs", 0).put("maxBodyBytes", MAX_BODY);
    Stack.services(vertx, config);
    web = new HttpVerticle();
    Stack.deploy(vertx, MainVerticle.WEB, web, config);
    port = web.actualPort();
    callers = Vertx.vertx();
    client = WebClient.wrap(callers.createHttpClient(new HttpClientOptions().setMaxInitialLineLength(1 << 20),
      new PoolOptions().setHttp1MaxSize(IN_FLIGHT)));
    // The 100,000 ids, pipelined: a third less time (a request the server refuses as malformed closes its
    // connection, and the requests behind it with it: those go through the other client).
    pipelined = WebClient.wrap(callers.createHttpClient(new HttpClientOptions().setPipelining(true).setPipeliningLimit(8),
      new PoolOptions().setHttp1MaxSize(IN_FLIGHT / 8)));
  }

  @AfterAll
  static void close() throws Exception {
    callers.close().await(30, TimeUnit.SECONDS);
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  @Order(1)
  @DisplayName("/metrics idle (the service started, nothing asked but /metrics): at most 600 series")
  void idle() throws Exception {
    scrape();  // the meters of /metrics itself exist from the first scrape on
    String text = scrape();
    Files.writeString(TestConfig.projectDir().resolve("target/metrics-budget-idle.txt"), text);
    int series = series(text);
    System.out.printf("metrics budget: idle %,d series (%,d lines)%n", series, text.lines().count());
    assertTrue(series <= IDLE_BUDGET, "idle: " + series + " series, over " + IDLE_BUDGET + ":\n" + largest(text));
  }

  @Test
  @Order(2)
  @DisplayName("/metrics after every route × every method (invented ones too), every error, 100,000 distinct ids and 1,000 invented bus addresses: at most 1,500 series")
  void afterHostileTraffic() throws Exception {
    long started = System.nanoTime();
    Map<Integer, Integer> statuses = new TreeMap<>();

    // Every route of the router, by every standard and invented method, with and without the token.
    List<HttpMethod> methods = new ArrayList<>(List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PUT,
      HttpMethod.DELETE, HttpMethod.PATCH, HttpMethod.OPTIONS, HttpMethod.TRACE));
    INVENTED_METHODS.forEach(name -> methods.add(HttpMethod.valueOf(name)));
    Set<String> uris = new TreeSet<>();
    for (Route route : web.router().getRoutes()) {
      if (route.getPath() != null) {
        uris.add(route.getPath().replace(":id", "7").replace(":file", "swagger-ui.css").replace("*", "x"));
      }
    }
    List<String> everyRoute = List.copyOf(uris);
    int perRoute = methods.size() * 2;
    send(everyRoute.size() * perRoute, i -> {
      HttpRequest<Buffer> request = client.request(methods.get(i % perRoute / 2), port, "127.0.0.1", everyRoute.get(i / perRoute));
      if (i % 2 == 0) {
        request.putHeader("Authorization", "Bearer " + TOKEN);
      }
      return request.sendJsonObject(new JsonObject().put("ids", new JsonArray().add(1 + i % 5)));
    }, statuses);

    long routesDone = System.nanoTime();
    // 100,000 distinct ids: a quarter unknown to the directory (404 upstream), a quarter unknown to the
    // mirror, half malformed (400 at the edge).
    for (int id = 1; id <= DISTINCT_IDS; id += 4) {
      upstream.script(1_000_000L + id, FakeDirectory.Behaviour.NOT_FOUND, 0);
    }
    send(DISTINCT_IDS, i -> pipelined.get(port, "127.0.0.1", switch (i % 4) {
      case 0 -> "/users/" + (1_000_001L + i);
      case 1 -> "/store/users/" + (2_000_000L + i);
      case 2 -> "/users/x" + i;
      default -> "/users/" + i + "0000000000000000000";
    }).send(), statuses);

    long idsDone = System.nanoTime();
    // Every error the edge answers, and the upstream's failures.
    upstream.script(901, FakeDirectory.Behaviour.FAIL, 0).script(902, FakeDirectory.Behaviour.INVALID_JSON, 0)
      .script(903, FakeDirectory.Behaviour.NO_NAME, 0).script(904, FakeDirectory.Behaviour.HANG, 0)
      .script(905, FakeDirectory.Behaviour.RATE_LIMITED, 0).script(906, FakeDirectory.Behaviour.WRONG_ID, 0);
    List<Supplier<Future<HttpResponse<Buffer>>>> errors = List.of(
      () -> client.get(port, "127.0.0.1", "/users/901").send(),
      () -> client.get(port, "127.0.0.1", "/users/902").send(),
      () -> client.get(port, "127.0.0.1", "/users/903").send(),
      () -> client.get(port, "127.0.0.1", "/users/904").send(),
      () -> client.get(port, "127.0.0.1", "/users/905").send(),
      () -> client.get(port, "127.0.0.1", "/users/906").send(),
      () -> client.get(port, "127.0.0.1", "/users?ids=1,2,x").send(),
      () -> client.get(port, "127.0.0.1", "/users?ids=1,2&mode=sideways").send(),
      () -> client.post(port, "127.0.0.1", "/users/batch").sendBuffer(Buffer.buffer("{not json")),
      () -> client.post(port, "127.0.0.1", "/users/batch").sendBuffer(Buffer.buffer("{\"ids\":[" + "1,".repeat(MAX_BODY) + "1]}")),
      () -> client.post(port, "127.0.0.1", "/sync").sendJsonObject(new JsonObject().put("ids", new JsonArray().add(1))),
      () -> client.post(port, "127.0.0.1", "/sync").putHeader("Authorization", "Bearer wrong").sendJsonObject(new JsonObject()),
      () -> client.get(port, "127.0.0.1", "/users/7").putHeader("Origin", "https://evil.example").send(),
      () -> client.get(port, "127.0.0.1", "/users/" + "1".repeat(40_000)).send(),
      () -> client.get(port, "127.0.0.1", "/users/7").putHeader("X-Big", "b".repeat(20_000)).send(),
      () -> client.get(port, "127.0.0.1", "/../../etc/passwd").send(),
      () -> client.get(port, "127.0.0.1", "/nowhere/" + System.nanoTime()).send(),
      () -> client.get(port, "127.0.0.1", "/changes?after=-1").send(),
      () -> client.get(port, "127.0.0.1", "/store/users?limit=x").send(),
      () -> client.get(port, "127.0.0.1", "/sync/jobs?state=whatever").send());
    send(errors.size() * 5, i -> errors.get(i % errors.size()).get(), statuses);

    // The bridge: sends, publishes and registrations to 1,000 invented addresses, and bad bodies to permitted ones.
    WebSocket socket = callers.createWebSocketClient().connect(port, "127.0.0.1", "/eventbus/websocket").await(10, TimeUnit.SECONDS);
    AtomicInteger answered = new AtomicInteger();
    Promise<Void> allAnswered = Promise.promise();
    int frames = 1_000;
    socket.handler(frame -> {
      if (answered.incrementAndGet() == frames) {
        allAnswered.tryComplete();
      }
    });
    for (int i = 0; i < frames; i++) {
      String type = i % 10 == 0 ? "publish" : i % 10 == 1 ? "register" : "send";
      String address = i % 5 == 4 ? (i % 2 == 0 ? FetchAddresses.ONE : StoreAddresses.GET) : "invented.address." + i;
      socket.writeTextMessage(new JsonObject().put("type", type).put("address", address)
        .put("body", new JsonObject().put("id", "x" + i)).put("replyAddress", "reply." + i).encode());
    }
    allAnswered.future().timeout(20, TimeUnit.SECONDS).recover(slow -> Future.succeededFuture()).await(30, TimeUnit.SECONDS);
    socket.close().await(10, TimeUnit.SECONDS);

    String text = scrape();
    Files.writeString(TestConfig.projectDir().resolve("target/metrics-budget-busy.txt"), text);
    int series = series(text);
    System.out.printf("metrics budget: after hostile traffic %,d series (%,d lines), in %,d ms (every route %,d ms, "
        + "the ids %,d ms); answers by status %s; bridge frames answered %,d of %,d%n", series, text.lines().count(),
      (System.nanoTime() - started) / 1_000_000, (routesDone - started) / 1_000_000, (idsDone - routesDone) / 1_000_000,
      statuses, answered.get(), frames);
    for (int status : List.of(200, 400, 401, 403, 404, 405, 413, 414, 431, 502, 504)) {
      assertTrue(statuses.containsKey(status), "the traffic provoked " + status + ": " + statuses);
    }
    assertTrue(series <= BUSY_BUDGET, "after traffic: " + series + " series, over " + BUSY_BUDGET + ":\n" + largest(text));
    // The ids asked have 6 digits or more (a port in a pool's name has at most 5).
    Matcher label = Pattern.compile("(\\w+)=\"([^\"]*)\"").matcher(text);
    while (label.find()) {
      String value = label.group(2);
      assertFalse(value.matches(".*\\d{6,}.*") || value.startsWith("invented.") || value.startsWith("reply.")
        || INVENTED_METHODS.contains(value), "a caller's text became a label: " + label.group());
    }
  }

  /** {@code count} requests, {@code IN_FLIGHT} at a time; the answers' statuses tallied (-1: no answer). */
  private static void send(int count, IntFunction<Future<HttpResponse<Buffer>>> request,
      Map<Integer, Integer> statuses) throws Exception {
    AtomicInteger next = new AtomicInteger();
    Map<Integer, Integer> tally = new ConcurrentHashMap<>();
    List<Future<Void>> workers = new ArrayList<>();
    for (int w = 0; w < IN_FLIGHT; w++) {
      Promise<Void> done = Promise.promise();
      work(next, count, request, tally, done);
      workers.add(done.future());
    }
    Future.all(workers).await(120, TimeUnit.SECONDS);
    tally.forEach((status, n) -> statuses.merge(status, n, Integer::sum));
  }

  private static void work(AtomicInteger next, int count, IntFunction<Future<HttpResponse<Buffer>>> request,
      Map<Integer, Integer> tally, Promise<Void> done) {
    int i = next.getAndIncrement();
    if (i >= count) {
      done.complete();
      return;
    }
    request.apply(i).onComplete(answer -> {
      tally.merge(answer.succeeded() ? answer.result().statusCode() : -1, 1, Integer::sum);
      work(next, count, request, tally, done);
    });
  }

  private static String scrape() throws Exception {
    HttpResponse<Buffer> scrape = client.get(port, "127.0.0.1", "/metrics").send().await(10, TimeUnit.SECONDS);
    assertEquals(200, scrape.statusCode());
    return scrape.bodyAsString();
  }

  /** Series as Prometheus counts them: every line of the text format that is neither a comment nor blank. */
  static int series(String text) {
    return (int) text.lines().filter(line -> !line.isBlank() && !line.startsWith("#")).count();
  }

  /** The metric families with the most series, for a failure's message. */
  private static String largest(String text) {
    Map<String, Long> families = text.lines().filter(line -> !line.isBlank() && !line.startsWith("#"))
      .collect(Collectors.groupingBy(line -> line.split("[{ ]", 2)[0], Collectors.counting()));
    return families.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(25)
      .map(entry -> entry.getValue() + " " + entry.getKey()).collect(Collectors.joining("\n"));
  }
}
