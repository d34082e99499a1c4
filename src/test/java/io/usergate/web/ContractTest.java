package io.usergate.web;

import io.usergate.HeaderNames;
import io.usergate.MainVerticle;
import io.usergate.error.ErrorCode;
import io.usergate.metrics.Metrics;
import io.usergate.store.StoreAddresses;
import io.usergate.support.Bus;
import io.usergate.support.FakeDirectory;
import io.usergate.support.FakeDirectory.Behaviour;
import io.usergate.support.RawHttp;
import io.usergate.support.RestartablePostgres;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.json.schema.JsonSchemaValidationException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestUtils;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The contract, {@code src/main/resources/openapi.yaml}, kept true: the document passes the OpenAPI 3.1
 * schema; every route of the router has its path and method in it (and every path in it is routed); and
 * the real answers of every operation, its success and each documented error that can be provoked here,
 * validate against it with vertx-openapi, as do the requests that succeed. {@link #theDocumentedAnswers} runs
 * the scenarios that provoke the answers, then checks that every documented (operation, status) was seen,
 * except a short list, each saying why: one factory, its steps in its own order, whatever order JUnit
 * picks for the class's tests.
 */
class ContractTest {

  static final String TOKEN = "contract-token";
  private static final Path SOURCE = TestConfig.projectDir().resolve("src/main/resources/openapi.yaml");
  /**
   * Bodies vertx-openapi 5.0 cannot check against their schema, taken as opaque bytes: it refuses YAML and
   * HTML media types outright, and hands a text body to the schema as bytes, which no {@code type: string} takes.
   */
  private static final Set<String> OPAQUE = Set.of("application/yaml", "text/html", "text/plain");
  private static final String OCTET_STREAM = "application/octet-stream";
  /** Response headers taken out of the validator's view (see {@link #validationView}), lower case. */
  private static final List<String> UNDECODABLE_HEADERS = List.of("ratelimit", "ratelimit-policy");
  private static final JsonObject DOCUMENT = readYaml(SOURCE);
  private static final JsonObject VIEW = validationView(DOCUMENT);

  /** Router prefixes that are no HTTP API: the SockJS bridge's transports speak SockJS (docs/event-bus.md: the SockJS bridge). */
  private static final Set<String> NOT_API = Set.of("/eventbus/");
  /**
   * Documented answers no test here provokes, each with the reason. Everything else documented must have
   * have been seen by the end of the scenarios ({@link #everyDocumentedAnswerWasSeen}).
   */
  private static final Map<String, String> NOT_PROVOKED = notProvoked();
  /** The echo server's header naming the operation a request is meant for. */
  private static final String ECHO_OPERATION = "x-contract-operation";
  private static final int MAX_BODY = 4096;

  /** "operationId status" of every answer that validated, over the scenarios of {@link #theDocumentedAnswers}. */
  private final Set<String> seen = new ConcurrentSkipListSet<>();
  /** The scenarios that ran to their end. */
  private final Set<String> scenarios = new ConcurrentSkipListSet<>();

  private Vertx vertx;
  private OpenAPIContract contract;
  private ResponseValidator responses;
  private RequestValidator requests;
  private WebClient client;
  private int port;
  private int echoPort;

  @AfterEach
  void close() throws Exception {
    Stack.close(vertx);
  }

  @Test
  @DisplayName("the document passes the OpenAPI 3.1 schema; its error codes are ErrorCode's; every operation documents the answers any request can get")
  void theDocumentIsAValidOpenApi31Document() throws Exception {
    vertx = Vertx.vertx();
    // What OpenAPIContract.from does first, on the document exactly as written: the 3.1 schema (2022-10-07).
    // On copies: vertx-json-schema marks the objects it is handed (__absolute_uri__).
    SchemaRepository repository = OpenAPIVersion.V3_1.getRepository(vertx, "app://").await(30, TimeUnit.SECONDS);
    OutputUnit result = OpenAPIVersion.V3_1.validateContract(vertx, repository, DOCUMENT.copy()).await(30, TimeUnit.SECONDS);
    try {
      result.checkValidity();
    } catch (JsonSchemaValidationException e) {
      fail("openapi.yaml is not a valid OpenAPI 3.1 document: " + e.getMessage() + " at " + e.location() + "\n" + result);
    }
    // The validator bites: an operation without responses, or a response without a description, is refused.
    JsonObject broken = DOCUMENT.copy();
    broken.getJsonObject("paths").getJsonObject("/status").getJsonObject("get").remove("responses");
    broken.getJsonObject("paths").getJsonObject("/sync").getJsonObject("get").getJsonObject("responses")
      .getJsonObject("200").remove("description");
    assertFalse(OpenAPIVersion.V3_1.validateContract(vertx, repository, broken).await(30, TimeUnit.SECONDS).getValid(),
      "the schema check refuses a broken document");
    // vertx-openapi's own checks beyond the schema (path parameters in their path, unique operation ids, refs).
    OpenAPIContract.from(vertx, VIEW.copy()).await(30, TimeUnit.SECONDS);

    assertEquals(DOCUMENT.getJsonObject("info").getString("version"), pomVersion(), "info.version is the pom's version");
    JsonObject schemas = DOCUMENT.getJsonObject("components").getJsonObject("schemas");
    assertEquals(Arrays.stream(ErrorCode.values()).map(Enum::name).collect(Collectors.toList()),
      schemas.getJsonObject("ErrorCode").getJsonArray("enum").getList(), "ErrorCode's names, in its order");
    // Each error response names exactly the codes of its status.
    Map<Integer, Set<String>> byStatus = new HashMap<>();
    for (ErrorCode code : ErrorCode.values()) {
      byStatus.computeIfAbsent(code.status(), status -> new TreeSet<>()).add(code.name());
    }
    Map<Integer, String> errorResponses = new HashMap<>();
    JsonObject components = DOCUMENT.getJsonObject("components").getJsonObject("responses");
    for (String name : components.fieldNames()) {
      JsonObject schema = components.getJsonObject(name).getJsonObject("content").getJsonObject("application/json")
        .getJsonObject("schema");
      JsonArray allOf = schema.getJsonArray("allOf");
      if (allOf == null || !"#/components/schemas/Error".equals(allOf.getJsonObject(0).getString("$ref"))) {
        continue;
      }
      JsonObject error = allOf.getJsonObject(1).getJsonObject("properties").getJsonObject("error").getJsonObject("properties");
      int status = error.getJsonObject("status").getInteger("const");
      assertEquals(byStatus.get(status), new TreeSet<>(error.getJsonObject("code").getJsonArray("enum").getList()),
        "response " + name + " (" + status + ") names every code of its status");
      assertNull(errorResponses.put(status, name), "one error response per status");
    }
    assertEquals(byStatus.keySet(), errorResponses.keySet(), "an error response for every status of ErrorCode");
    // Any request can be refused before its route runs: no Host, a foreign origin, a line or headers too long, a caller
    // over its quota; and a bug is 500.
    for (Map.Entry<String, Op> operation : operations(DOCUMENT).entrySet()) {
      Set<String> statuses = operation.getValue().responses().fieldNames();
      for (String status : List.of("400", "403", "414", "429", "431", "500")) {
        assertTrue(statuses.contains(status), operation.getKey() + " documents " + status);
      }
    }
  }

  private void everyRouteIsDocumented() throws Exception {
    FakeDirectory upstream = new FakeDirectory();
    HttpVerticle web = deploy(upstream, config -> { });
    Set<String> documented = new TreeSet<>();
    DOCUMENT.getJsonObject("paths").forEach(path -> ((JsonObject) path.getValue()).fieldNames()
      .forEach(method -> documented.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey())));

    Set<String> undocumented = new TreeSet<>();
    Set<String> routed = new TreeSet<>();
    for (Route route : web.router().getRoutes()) {
      Set<HttpMethod> methods = route.methods();
      if (route.getPath() == null || methods == null || methods.isEmpty()) {
        // A handler of every request (origin policy, traversal check) or a 405 fallback of MethodRoutes.
        continue;
      }
      if (NOT_API.contains(route.getPath())) {
        continue;
      }
      String path = documentedPath(route, documented);
      for (HttpMethod method : methods) {
        // HEAD goes with every GET (MethodRoutes); the document says so once, in its description.
        String key = (method == HttpMethod.HEAD ? "GET" : method.name()) + " " + path;
        if (documented.contains(key)) {
          routed.add(key);
        } else {
          undocumented.add(method.name() + " " + route.getPath());
        }
      }
    }
    assertEquals(Set.of(), undocumented, "routes of HttpVerticle missing from openapi.yaml");
    Set<String> unrouted = new TreeSet<>(documented);
    unrouted.removeAll(routed);
    assertEquals(Set.of(), unrouted, "paths of openapi.yaml no route serves");

    Map<String, Op> operations = operations(DOCUMENT);
    for (String path : DOCUMENT.getJsonObject("paths").fieldNames()) {
      JsonObject item = DOCUMENT.getJsonObject("paths").getJsonObject(path);
      String uri = path.replace("{id}", "7").replace("{file}", "swagger-ui.css");
      for (String method : item.fieldNames()) {
        String operationId = item.getJsonObject(method).getString("operationId");
        HttpMethod verb = HttpMethod.valueOf(method.toUpperCase(Locale.ROOT));
        assertNotNull(operations.get(operationId));
        assertError(call(operationId, verb, uri).header("Origin", "http://elsewhere.example").expect(403), "FORBIDDEN");
        assertEquals("BAD_REQUEST", raw(operationId, verb.name() + " " + uri
          + " HTTP/1.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 400).getString("code"));
        assertError(call(operationId, verb, uri + "?pad=" + "x".repeat(40_000)).expect(414), "URI_TOO_LONG");
        assertError(call(operationId, verb, uri).header("X-Pad", "x".repeat(20_000)).expect(431), "HEADERS_TOO_LARGE");
      }
      // Methods the path does not list, an invented one included: 405 with the Allow the document implies.
      Set<String> allowed = new TreeSet<>();
      item.fieldNames().forEach(method -> allowed.add(method.toUpperCase(Locale.ROOT)));
      if (allowed.contains("GET")) {
        allowed.add("HEAD");
      }
      for (HttpMethod verb : List.of(HttpMethod.DELETE, allowed.contains("GET") ? HttpMethod.POST : HttpMethod.GET,
        HttpMethod.valueOf("Z1Q"))) {
        if (allowed.contains(verb.name())) {
          continue;
        }
        HttpResponse<Buffer> refused = call(notAllowedId(path), verb, uri).expect(405);
        assertError(refused, "METHOD_NOT_ALLOWED");
        assertEquals(allowed, Set.of(refused.getHeader("Allow").split(", ")), verb + " " + uri);
      }
    }
    scenarios.add("routes");
  }

  private void everyAnswerValidates() throws Exception {
    FakeDirectory upstream = new FakeDirectory();
    List<String> deployed = new ArrayList<>();
    JsonObject pg = TestDatabase.freshDatabase("contract", true);
    HttpVerticle web = deploy(upstream, config -> config.put("pg", pg), deployed);
    upstream.script(4, Behaviour.NOT_FOUND, 0).script(5, Behaviour.FAIL, 0).script(6, Behaviour.HANG, 0);

    // GET /users/{id}: the user, 304 for its ETag, and the directory's failures.
    HttpResponse<Buffer> user = call("getUser", HttpMethod.GET, "/users/7").valid().expect(200);
    assertEquals(FakeDirectory.user(7), user.bodyAsJsonObject());
    call("getUser", HttpMethod.GET, "/users/7").header("If-None-Match", user.getHeader("ETag")).valid().expect(304);
    assertEquals(4L, assertError(call("getUser", HttpMethod.GET, "/users/4").valid().expect(404), "NOT_FOUND").getLong("id"));
    assertError(call("getUser", HttpMethod.GET, "/users/5").valid().expect(502), "UPSTREAM_ERROR");
    assertError(call("getUser", HttpMethod.GET, "/users/6").valid().expect(504), "UPSTREAM_TIMEOUT");
    assertError(call("getUser", HttpMethod.GET, "/users/8").header("Cache-Control", "only-if-cached").valid().expect(504),
      "NOT_CACHED");
    assertError(call("getUser", HttpMethod.GET, "/users/a%01bc").invalid().expect(400), "BAD_REQUEST");
    assertError(call("getUser", HttpMethod.GET, "/users/" + "z".repeat(257)).invalid().expect(400), "BAD_REQUEST");

    // GET /users?ids=: both modes, and the failures of mode=all.
    assertEquals(3, call("getUsers", HttpMethod.GET, "/users?ids=1,2,3").valid().expect(200)
      .bodyAsJsonObject().getJsonArray("users").size());
    JsonObject settled = call("getUsers", HttpMethod.GET, "/users?ids=1,4,5&mode=settled").valid().expect(200).bodyAsJsonObject();
    assertEquals(1, settled.getInteger("succeeded"));
    assertError(call("getUsers", HttpMethod.GET, "/users?ids=1,4").valid().expect(404), "NOT_FOUND");
    assertError(call("getUsers", HttpMethod.GET, "/users?ids=5").valid().expect(502), "UPSTREAM_ERROR");
    assertError(call("getUsers", HttpMethod.GET, "/users?ids=6").valid().expect(504), "UPSTREAM_TIMEOUT");
    assertError(call("getUsers", HttpMethod.GET, "/users?ids=%01").invalid().expect(400), "BAD_REQUEST");
    assertError(call("getUsers", HttpMethod.GET, "/users?ids=1&mode=foo").invalid().expect(400), "BAD_REQUEST");
    assertError(call("getUsers", HttpMethod.GET, "/users").invalid().expect(400), "BAD_REQUEST");

    // POST /users/batch.
    call("getUsersBatch", HttpMethod.POST, "/users/batch").json("{\"ids\": [1, 2]}").valid().expect(200);
    call("getUsersBatch", HttpMethod.POST, "/users/batch").json("{\"ids\": [1, 4], \"mode\": \"settled\"}").valid().expect(200);
    assertError(call("getUsersBatch", HttpMethod.POST, "/users/batch").json("{\"ids\": [4]}").valid().expect(404), "NOT_FOUND");
    assertError(call("getUsersBatch", HttpMethod.POST, "/users/batch").json("{\"ids\": [5]}").valid().expect(502), "UPSTREAM_ERROR");
    assertError(call("getUsersBatch", HttpMethod.POST, "/users/batch").json("{\"ids\": [6]}").valid().expect(504), "UPSTREAM_TIMEOUT");
    assertError(call("getUsersBatch", HttpMethod.POST, "/users/batch").json("{\"ids\": \"x\"}").invalid().expect(400), "BAD_REQUEST");
    assertError(call("getUsersBatch", HttpMethod.POST, "/users/batch").json("{\"ids\": [1,").invalid().expect(400), "BAD_REQUEST");
    assertError(call("getUsersBatch", HttpMethod.POST, "/users/batch").json(oversized()).expect(413), "PAYLOAD_TOO_LARGE");

    // The mirror: the write-throughs of the fetches above.
    await().atMost(Duration.ofSeconds(10)).until(() -> send(client.get(port, "127.0.0.1", "/store/users/1")).statusCode() == 200);
    HttpResponse<Buffer> stored = call("getStoredUser", HttpMethod.GET, "/store/users/1").valid().expect(200);
    // The mirror's copy: from the store, or from the web's memory of a read above (unless a change dropped it since).
    assertTrue(Set.of("memory", "store").contains(stored.getHeader(HeaderNames.HTTP_SOURCE)), stored.getHeader(HeaderNames.HTTP_SOURCE));
    assertError(call("getStoredUser", HttpMethod.GET, "/store/users/99").valid().expect(404), "NOT_FOUND");
    assertError(call("getStoredUser", HttpMethod.GET, "/store/users/x%01").invalid().expect(400), "BAD_REQUEST");
    assertEquals(2, call("listStoredUsers", HttpMethod.GET, "/store/users?after=0&limit=2").valid().expect(200)
      .bodyAsJsonObject().getJsonArray("users").size());
    call("listStoredUsers", HttpMethod.GET, "/store/users").valid().expect(200);
    assertError(call("listStoredUsers", HttpMethod.GET, "/store/users?limit=0").invalid().expect(400), "BAD_REQUEST");
    assertError(call("listStoredUsers", HttpMethod.GET, "/store/users?limit=1001").invalid().expect(400), "BAD_REQUEST");

    // The queue: the write routes without the token, with it, and their bad bodies.
    HttpResponse<Buffer> refused = call("enqueueSync", HttpMethod.POST, "/sync").json("{\"ids\": [1, 2, 3]}").expect(401);
    assertEquals("Bearer", refused.getHeader("WWW-Authenticate"));
    assertError(refused, "UNAUTHORIZED");
    call("enqueueSync", HttpMethod.POST, "/sync").token().json("{\"ids\": [1, 2, 3]}").valid().expect(202);
    assertError(call("enqueueSync", HttpMethod.POST, "/sync").token().json("{\"ids\": [\"\"]}").invalid().expect(400), "BAD_REQUEST");
    assertError(call("enqueueSync", HttpMethod.POST, "/sync").token().json(oversized()).expect(413), "PAYLOAD_TOO_LARGE");
    assertError(call("refreshSync", HttpMethod.POST, "/sync/refresh").expect(401), "UNAUTHORIZED");
    call("refreshSync", HttpMethod.POST, "/sync/refresh").token().valid().expect(202);
    call("getSyncStatus", HttpMethod.GET, "/sync").valid().expect(200);
    call("listSyncJobs", HttpMethod.GET, "/sync/jobs").valid().expect(200);
    call("listSyncJobs", HttpMethod.GET, "/sync/jobs?state=pending&after=0&limit=10").valid().expect(200);
    assertError(call("listSyncJobs", HttpMethod.GET, "/sync/jobs?state=bogus").invalid().expect(400), "BAD_REQUEST");
    assertError(call("listSyncJobs", HttpMethod.GET, "/sync/jobs?limit=0").invalid().expect(400), "BAD_REQUEST");
    for (String[] operation : new String[][] {{"retrySyncJobs", "/sync/jobs/retry"}, {"discardSyncJobs", "/sync/jobs/discard"}}) {
      assertError(call(operation[0], HttpMethod.POST, operation[1]).json("{\"state\": \"failed\"}").expect(401), "UNAUTHORIZED");
      call(operation[0], HttpMethod.POST, operation[1]).token().json("{\"state\": \"failed\"}").valid().expect(202);
      call(operation[0], HttpMethod.POST, operation[1]).token().json("{\"ids\": [1]}").valid().expect(202);
      assertError(call(operation[0], HttpMethod.POST, operation[1]).token().json("{\"state\": \"running\"}").invalid().expect(400),
        "BAD_REQUEST");
      assertError(call(operation[0], HttpMethod.POST, operation[1]).token().json("{}").invalid().expect(400), "BAD_REQUEST");
      assertError(call(operation[0], HttpMethod.POST, operation[1]).token().json(oversized()).expect(413), "PAYLOAD_TOO_LARGE");
    }

    // The walk: 202 when it starts, 200 while it runs; GET /sync shows it.
    upstream.listed(1, 6).listDelay(300);
    assertError(call("startWalk", HttpMethod.POST, "/sync/walk").expect(401), "UNAUTHORIZED");
    assertTrue(call("startWalk", HttpMethod.POST, "/sync/walk").token().valid().expect(202).bodyAsJsonObject().getBoolean("started"));
    JsonObject running = call("startWalk", HttpMethod.POST, "/sync/walk").token().valid().expect(200).bodyAsJsonObject();
    assertFalse(running.getBoolean("started"), running.encode());
    await().atMost(Duration.ofSeconds(20)).until(() -> !"running".equals(
      send(client.get(port, "127.0.0.1", "/sync")).bodyAsJsonObject().getJsonObject("walk").getString("state")));
    call("getSyncStatus", HttpMethod.GET, "/sync").valid().expect(200);

    // The change feed, then trimmed past a reader's position.
    assertFalse(call("readChanges", HttpMethod.GET, "/changes?after=0&limit=10").valid().expect(200)
      .bodyAsJsonObject().getJsonArray("changes").isEmpty());
    call("readChanges", HttpMethod.GET, "/changes?tail=3").valid().expect(200);
    assertError(call("readChanges", HttpMethod.GET, "/changes?limit=0").invalid().expect(400), "BAD_REQUEST");
    assertError(call("readChanges", HttpMethod.GET, "/changes?tail=2&after=1").expect(400), "BAD_REQUEST");
    assertTrue(Bus.call(vertx, StoreAddresses.CHANGES_TRIM, new JsonObject().put("retainMs", 1)).getLong("trimmed") > 0);
    assertError(call("readChanges", HttpMethod.GET, "/changes?after=0").valid().expect(410), "CHANGES_GONE");

    // Operations and documents.
    assertNotNull(call("getStatus", HttpMethod.GET, "/status").valid().expect(200).bodyAsJsonObject().getJsonObject("totals"));
    call("getLiveness", HttpMethod.GET, "/health/live").valid().expect(200);
    call("getReadiness", HttpMethod.GET, "/health/ready").valid().expect(200);
    call("getStartup", HttpMethod.GET, "/health/started").valid().expect(200);
    assertTrue(call("getMetrics", HttpMethod.GET, "/metrics").valid().expect(200).bodyAsString().contains("usergate_"));
    Buffer served = call("getOpenApi", HttpMethod.GET, "/openapi.yaml").valid().expect(200).body();
    assertEquals(Buffer.buffer(Files.readAllBytes(SOURCE)), served, "GET /openapi.yaml serves the document as written");
    assertEquals(served, call("getOpenApi", HttpMethod.GET, "/openapi.yaml").valid().expect(200).body(), "every time");
    String page = call("getDocs", HttpMethod.GET, "/docs").valid().expect(200).bodyAsString();
    assertTrue(page.contains("url: \"/openapi.yaml\"") && page.contains("src=\"/docs/swagger-ui-bundle.js\""), page);
    HttpResponse<Buffer> bundle = call("getDocsFile", HttpMethod.GET, "/docs/swagger-ui-bundle.js").valid().expect(200);
    assertTrue(bundle.getHeader("Content-Type").startsWith("application/javascript")
      || bundle.getHeader("Content-Type").startsWith("text/javascript"), bundle.getHeader("Content-Type"));
    assertTrue(bundle.bodyAsString().contains("SwaggerUIBundle"));
    call("getDocsFile", HttpMethod.GET, "/docs/swagger-ui.css").valid().expect(200);
    // The webjar's demo page points at a public petstore: not served.
    assertError(call("getDocsFile", HttpMethod.GET, "/docs/index.html").valid().expect(404), "NOT_FOUND");
    assertError(call("getDocsFile", HttpMethod.GET, "/docs/swagger-initializer.js").valid().expect(404), "NOT_FOUND");
    assertError(call("getDocsFile", HttpMethod.GET, "/docs/nothing.js").valid().expect(404), "NOT_FOUND");
    assertTrue(call("getDashboard", HttpMethod.GET, "/").valid().expect(200).bodyAsString().contains("<html"));

    // The directory answers 429 (Retry-After): UPSTREAM_UNAVAILABLE, 503 with Retry-After.
    upstream.script(9, Behaviour.RATE_LIMITED, 0).script(10, Behaviour.RATE_LIMITED, 0).script(11, Behaviour.RATE_LIMITED, 0);
    assertError(call("getUser", HttpMethod.GET, "/users/9").valid().expect(503), "UPSTREAM_UNAVAILABLE");
    assertError(call("getUsers", HttpMethod.GET, "/users?ids=10").valid().expect(503), "UPSTREAM_UNAVAILABLE");
    assertError(call("getUsersBatch", HttpMethod.POST, "/users/batch").json("{\"ids\": [11]}").valid().expect(503),
      "UPSTREAM_UNAVAILABLE");

    // A verticle gone (no consumer on the bus): 500 INTERNAL; readiness DOWN; /status says what is missing.
    vertx.undeploy(deployed.get(2)).await(30, TimeUnit.SECONDS);
    assertError(call("getSyncStatus", HttpMethod.GET, "/sync").expect(500), "INTERNAL");
    // The queue itself is the store's: its reads and writes go on with the sync gone (jobs wait for a sync).
    call("listSyncJobs", HttpMethod.GET, "/sync/jobs").valid().expect(200);
    call("enqueueSync", HttpMethod.POST, "/sync").token().json("{\"ids\": [1]}").valid().expect(202);
    assertError(call("refreshSync", HttpMethod.POST, "/sync/refresh").token().expect(500), "INTERNAL");
    assertError(call("startWalk", HttpMethod.POST, "/sync/walk").token().expect(500), "INTERNAL");
    call("retrySyncJobs", HttpMethod.POST, "/sync/jobs/retry").token().json("{\"ids\": [1]}").valid().expect(202);
    call("discardSyncJobs", HttpMethod.POST, "/sync/jobs/discard").token().json("{\"ids\": [1]}").valid().expect(202);
    vertx.undeploy(deployed.get(1)).await(30, TimeUnit.SECONDS);
    assertError(call("getUser", HttpMethod.GET, "/users/1").expect(500), "INTERNAL");
    assertError(call("getUsers", HttpMethod.GET, "/users?ids=1").expect(500), "INTERNAL");
    assertError(call("getUsersBatch", HttpMethod.POST, "/users/batch").json("{\"ids\": [1]}").expect(500), "INTERNAL");
    assertEquals("DOWN", call("getReadiness", HttpMethod.GET, "/health/ready").expect(503).bodyAsJsonObject().getString("status"));
    vertx.undeploy(deployed.get(0)).await(30, TimeUnit.SECONDS);
    assertError(call("getStoredUser", HttpMethod.GET, "/store/users/1").expect(500), "INTERNAL");
    assertError(call("listStoredUsers", HttpMethod.GET, "/store/users").expect(500), "INTERNAL");
    assertError(call("readChanges", HttpMethod.GET, "/changes").expect(500), "INTERNAL");
    // The queue is the store's: with the store gone, its routes are 500 too.
    assertError(call("listSyncJobs", HttpMethod.GET, "/sync/jobs").expect(500), "INTERNAL");
    assertError(call("enqueueSync", HttpMethod.POST, "/sync").token().json("{\"ids\": [1]}").expect(500), "INTERNAL");
    assertError(call("retrySyncJobs", HttpMethod.POST, "/sync/jobs/retry").token().json("{\"ids\": [1]}").expect(500), "INTERNAL");
    assertError(call("discardSyncJobs", HttpMethod.POST, "/sync/jobs/discard").token().json("{\"ids\": [1]}").expect(500), "INTERNAL");
    JsonObject status = call("getStatus", HttpMethod.GET, "/status").expect(200).bodyAsJsonObject();
    assertNull(status.getValue("fetch"));
    assertNotNull(status.getString("fetchError"));
    scenarios.add("answers");
  }

  /**
   * With {@code auth.callers} set: every operation that names a scope in its security is 401 without a key; a
   * caller whose quota (one request in 1000 s) is spent is 429 on every operation, the open ones included.
   */
  private void withCallers() throws Exception {
    String key = "contract-limited-key";
    deploy(new FakeDirectory(), config -> config.getJsonObject("auth").put("metricsOpen", false).put("callers", new JsonObject()
      .put("limited", new JsonObject().put("keySha256", CallersTest.sha256(key))
        .put("scopes", "users:read mirror:read sync:write status:read").put("ratePerSecond", 0.001))));
    call("getLiveness", HttpMethod.GET, "/health/live").header("X-API-Key", key).valid().expect(200);
    for (Map.Entry<String, Op> operation : operations(DOCUMENT).entrySet()) {
      Op op = operation.getValue();
      String uri = op.path().replace("{id}", "7").replace("{file}", "swagger-ui.css");
      HttpMethod method = HttpMethod.valueOf(op.method().toUpperCase(Locale.ROOT));
      if (op.responses().containsKey("401")) {
        HttpResponse<Buffer> refused = call(operation.getKey(), method, uri).expect(401);
        assertError(refused, "UNAUTHORIZED");
        assertEquals("Bearer", refused.getHeader("WWW-Authenticate"), operation.getKey());
      }
      HttpResponse<Buffer> over = call(operation.getKey(), method, uri).header("X-API-Key", key).expect(429);
      assertError(over, "TOO_MANY_REQUESTS");
      assertEquals("\"default\";q=1;w=1000", over.getHeader("RateLimit-Policy"), operation.getKey());
      assertEquals("\"default\";r=0;t=" + over.getHeader("Retry-After"), over.getHeader("RateLimit"), operation.getKey());
      assertHeaderMatches(over, "RateLimit-Policy");
      assertHeaderMatches(over, "RateLimit");
    }
    scenarios.add("callers");
  }

  /** A header the validator cannot decode, checked against its pattern in the document. */
  private static void assertHeaderMatches(HttpResponse<Buffer> response, String name) {
    String pattern = DOCUMENT.getJsonObject("components").getJsonObject("headers").getJsonObject(name).getJsonObject("schema")
      .getString("pattern");
    assertTrue(Pattern.compile(pattern).matcher(response.getHeader(name)).find(), name + ": " + response.getHeader(name));
  }

  private void withoutPostgres() throws Exception {
    RestartablePostgres postgres = new RestartablePostgres("contract");
    boolean running = true;
    try {
      deploy(new FakeDirectory(), config -> config.put("pg", postgres.pg().put("connectionTimeoutMs", 1000).put("scopeTimeoutMs", 2000)));
      call("getStoredUser", HttpMethod.GET, "/store/users/1").valid().expect(404);
      postgres.stop();
      running = false;
      await().atMost(Duration.ofSeconds(20)).until(() -> send(client.get(port, "127.0.0.1", "/store/users/1")).statusCode() == 503);
      assertError(call("getStoredUser", HttpMethod.GET, "/store/users/1").valid().expect(503), "STORE_UNAVAILABLE");
      assertError(call("listStoredUsers", HttpMethod.GET, "/store/users").valid().expect(503), "STORE_UNAVAILABLE");
      assertError(call("readChanges", HttpMethod.GET, "/changes").valid().expect(503), "STORE_UNAVAILABLE");
      assertError(call("getSyncStatus", HttpMethod.GET, "/sync").valid().expect(503), "STORE_UNAVAILABLE");
      assertError(call("listSyncJobs", HttpMethod.GET, "/sync/jobs").valid().expect(503), "STORE_UNAVAILABLE");
      assertError(call("enqueueSync", HttpMethod.POST, "/sync").token().json("{\"ids\": [1]}").valid().expect(503), "STORE_UNAVAILABLE");
      assertError(call("refreshSync", HttpMethod.POST, "/sync/refresh").token().valid().expect(503), "STORE_UNAVAILABLE");
      assertError(call("startWalk", HttpMethod.POST, "/sync/walk").token().valid().expect(503), "STORE_UNAVAILABLE");
      assertError(call("retrySyncJobs", HttpMethod.POST, "/sync/jobs/retry").token().json("{\"ids\": [1]}").valid().expect(503),
        "STORE_UNAVAILABLE");
      assertError(call("discardSyncJobs", HttpMethod.POST, "/sync/jobs/discard").token().json("{\"ids\": [1]}").valid().expect(503),
        "STORE_UNAVAILABLE");
      JsonObject ready = call("getReadiness", HttpMethod.GET, "/health/ready").valid().expect(503).bodyAsJsonObject();
      assertEquals("DOWN", ready.getString("outcome"), ready.encode());
    } finally {
      if (running) {
        postgres.stop();
      }
    }
    scenarios.add("postgres");
  }

  /**
   * The scenarios that provoke the documented answers, each on its own Vert.x, then the check that every
   * documented answer was among them: in this order, in one factory, so the check never depends on which
   * of the class's tests JUnit ran before it.
   */
  @TestFactory
  @DisplayName("the documented answers: provoked by three scenarios, each validated, none missing")
  List<DynamicTest> theDocumentedAnswers() {
    return List.of(
      scenario("every route of the router is in the document and every documented path is routed; on each: 405 with Allow, 403, 400 without Host, 414, 431, as documented", this::everyRouteIsDocumented),
      scenario("the answers of every route, success and each error the fake directory provokes, validate against the document", this::everyAnswerValidates),
      scenario("PostgreSQL down: the routes of the mirror and the queue are 503 STORE_UNAVAILABLE with Retry-After, readiness DOWN, as documented", this::withoutPostgres),
      scenario("callers required: 401 without a key on every route with a scope (and /metrics when closed), 429 with RateLimit "
        + "fields on every route for a caller over its quota, as documented", this::withCallers),
      DynamicTest.dynamicTest("every documented answer of every operation was seen and validated, except those listed with the reason", this::everyDocumentedAnswerWasSeen));
  }

  /** A step of {@link #theDocumentedAnswers}: the class's {@code @AfterEach} runs once for the whole factory. */
  private DynamicTest scenario(String displayName, Executable body) {
    return DynamicTest.dynamicTest(displayName, () -> {
      try {
        body.execute();
      } finally {
        close();
        vertx = null;
      }
    });
  }

  private void everyDocumentedAnswerWasSeen() {
    assertEquals(Set.of("answers", "callers", "postgres", "routes"), scenarios,
      "every scenario ran to its end (a failed one is reported above): the answers of the others are not enough");
    Set<String> missing = new TreeSet<>();
    operations(DOCUMENT).forEach((operationId, op) -> {
      for (String status : op.responses().fieldNames()) {
        String key = operationId + " " + status;
        if (!seen.contains(key) && !NOT_PROVOKED.containsKey(key)) {
          missing.add(key);
        }
      }
    });
    assertEquals(Set.of(), missing, "documented answers that no test provoked (provoke them, or add them to NOT_PROVOKED with the reason)");
    Set<String> stale = new TreeSet<>(NOT_PROVOKED.keySet());
    stale.retainAll(seen);
    assertEquals(Set.of(), stale, "NOT_PROVOKED lists answers the tests do provoke now: take them out");
  }

  private static Map<String, String> notProvoked() {
    Map<String, String> reasons = new LinkedHashMap<>();
    for (String operationId : List.of("getStatus", "getLiveness", "getReadiness", "getStartup", "getMetrics", "getOpenApi",
      "getDocs", "getDocsFile", "getDashboard")) {
      reasons.put(operationId + " 500", "no bus call that can fail: only a bug answers 500 here");
    }
    reasons.put("getLiveness 503", "its one check (the event loop answers) cannot fail while it answers");
    reasons.put("getStartup 503", "before the start completes, which no test of a deployed stack sees");
    return reasons;
  }

  /** The document's path of a route: {@code :id} as {@code {id}}; a wildcard as its prefix ("/") or the prefix and one template. */
  private static String documentedPath(Route route, Set<String> documented) {
    String path = route.getPath();
    if (route.isExactPath()) {
      return path.replaceAll(":(\\w+)", "{$1}");
    }
    Set<String> paths = documented.stream().map(key -> key.substring(key.indexOf(' ') + 1)).collect(Collectors.toSet());
    if (paths.contains(path)) {
      return path;
    }
    return paths.stream().filter(candidate -> candidate.startsWith(path) && candidate.substring(path.length()).matches("\\{\\w+}"))
      .findFirst().orElse(path + "*");
  }

  // ---- the stack ----

  private HttpVerticle deploy(FakeDirectory upstream, Consumer<JsonObject> tweak) throws Exception {
    return deploy(upstream, tweak, new ArrayList<>());
  }

  /** The fake directory, then store, fetch, sync (their ids into {@code deployed}) and web; the contract and its validators. */
  private HttpVerticle deploy(FakeDirectory upstream, Consumer<JsonObject> tweak, List<String> deployed)
    throws Exception {
    vertx = Metrics.vertxBuilder(new VertxOptions()).build();
    upstream.deployOn(vertx);
    JsonObject config = TestConfig.against(upstream);
    config.getJsonObject("upstream").put("timeoutMs", 500)
      .put("breakerEnabled", false);
    config.getJsonObject("auth").put("token", TOKEN);
    config.getJsonObject("sync").put("intervalMs", 60_000).put("listPath", "/users{?limit,skip}").put("listPageSize", 2);
    config.getJsonObject("http").put("drainDelayMs", 0).put("maxBodyBytes", MAX_BODY);
    tweak.accept(config);
    deployed.addAll(Stack.services(vertx, config));
    HttpVerticle web = new HttpVerticle();
    Stack.deploy(vertx, MainVerticle.WEB, web, config);
    port = web.actualPort();
    client = WebClient.create(vertx);
    contract = OpenAPIContract.from(vertx, VIEW.copy()).await(30, TimeUnit.SECONDS);
    responses = ResponseValidator.create(vertx, contract);
    requests = RequestValidator.create(vertx, contract);
    echoPort = echo().actualPort();
    return web;
  }

  /**
   * A server that only validates the requests it gets against the document: the test sends it each request
   * it sends usergate, when that request is one the document allows (or one it refuses).
   */
  private HttpServer echo() throws Exception {
    return vertx.createHttpServer().requestHandler(request -> {
      String operationId = request.getHeader(ECHO_OPERATION);
      Operation found = contract.findOperation(request.path(), request.method());
      if (found == null || !found.getOperationId().equals(operationId)) {
        request.body().onComplete(read -> request.response().setStatusCode(404)
          .end(request.method() + " " + request.path() + " is " + (found == null ? "no operation" : found.getOperationId())));
        return;
      }
      request.body()
        .compose(body -> RequestUtils.extract(request, found, () -> Future.succeededFuture(body)))
        .compose(validatable -> requests.validate(validatable, operationId))
        .onComplete(validated -> request.response().setStatusCode(validated.succeeded() ? 204 : 422)
          .end(validated.succeeded() ? "" : String.valueOf(validated.cause().getMessage())));
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  // ---- one exchange ----

  private Call call(String operationId, HttpMethod method, String uri) {
    return new Call(operationId, method, uri);
  }

  /** A request for an operation: sent to usergate, its answer validated against that operation. */
  private final class Call {
    private final String operationId;
    private final HttpMethod method;
    private final String uri;
    private final MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    private Buffer body;
    /** Null: not checked (the document cannot say, e.g. a body over the limit); else whether the document allows it. */
    private Boolean allowed;

    Call(String operationId, HttpMethod method, String uri) {
      this.operationId = operationId;
      this.method = method;
      this.uri = uri;
    }

    Call header(String name, String value) {
      headers.add(name, value);
      return this;
    }

    Call token() {
      return header("Authorization", "Bearer " + TOKEN);
    }

    Call json(String json) {
      body = Buffer.buffer(json);
      return header("Content-Type", "application/json");
    }

    /** The request is one the document allows. */
    Call valid() {
      allowed = true;
      return this;
    }

    /** The document, too, says the request is wrong. */
    Call invalid() {
      allowed = false;
      return this;
    }

    HttpResponse<Buffer> expect(int status) throws Exception {
      if (allowed != null) {
        HttpResponse<Buffer> echoed = send(request(echoPort).putHeader(ECHO_OPERATION, operationId));
        if (allowed) {
          assertEquals(204, echoed.statusCode(), method + " " + uri + " is a request the document allows: " + echoed.bodyAsString());
        } else {
          assertEquals(422, echoed.statusCode(), method + " " + uri + " is a request the document refuses: " + echoed.bodyAsString());
        }
      }
      HttpResponse<Buffer> response = send(request(port));
      assertEquals(status, response.statusCode(), method + " " + abbreviated(uri) + " → " + abbreviated(response.bodyAsString()));
      validate(operationId, response.statusCode(), response.headers(), response.body(), method + " " + abbreviated(uri));
      return response;
    }

    private HttpRequest<Buffer> request(int to) {
      HttpRequest<Buffer> request = client.request(method, to, "127.0.0.1", uri);
      request.putHeaders(headers);
      return request;
    }

    private HttpResponse<Buffer> send(HttpRequest<Buffer> request) throws Exception {
      return (body == null ? request.send() : request.sendBuffer(body)).await(30, TimeUnit.SECONDS);
    }
  }

  /**
   * An answer against the document: the status, the headers and the body with vertx-openapi; the content
   * type against the document's media types (for the types vertx-openapi cannot read too).
   */
  private void validate(String operationId, int status, MultiMap headers, Buffer body, String what) throws Exception {
    JsonObject documented = documentedResponse(operationId, status);
    assertNotNull(documented, what + ": " + status + " is not documented for " + operationId);
    String contentType = headers.get("Content-Type");
    String essence = contentType == null ? null : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    JsonObject content = documented.getJsonObject("content");
    boolean empty = body == null || body.length() == 0;
    if (content != null) {
      assertFalse(empty, what + ": " + status + " of " + operationId + " has a body");
      assertTrue(content.containsKey(essence), what + ": Content-Type " + contentType + ", documented " + content.fieldNames());
    }
    Map<String, String> flat = new HashMap<>();
    headers.names().forEach(name -> flat.put(name, String.join(", ", headers.getAll(name))));
    ValidatableResponse answer = empty || content == null ? ValidatableResponse.create(status, flat)
      : ValidatableResponse.create(status, flat, body, OPAQUE.contains(essence) ? OCTET_STREAM : essence);
    try {
      responses.validate(answer, operationId).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(what + ": the " + status + " answer does not match " + operationId + " in openapi.yaml: "
        + e.getMessage() + "\n" + headers + "\n" + (body == null ? "" : abbreviated(body.toString())), e);
    }
    seen.add(operationId + " " + status);
  }

  /** A request without Host (or anything else raw), its answer read to the end and validated; returns its error. */
  private JsonObject raw(String operationId, String request, int status) throws Exception {
    String text = RawHttp.exchange(port, request);
    int end = text.indexOf("\r\n\r\n");
    String[] lines = text.substring(0, end).split("\r\n");
    Matcher line = Pattern.compile("HTTP/1\\.[01] (\\d{3}) .*").matcher(lines[0]);
    assertTrue(line.matches(), text);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.add(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
    }
    Buffer body = Buffer.buffer(text.substring(end + 4).getBytes(StandardCharsets.ISO_8859_1));
    String what = request.substring(0, request.indexOf("\r\n"));
    assertEquals(status, Integer.parseInt(line.group(1)), what + " → " + text);
    validate(operationId, status, headers, body, what + " (raw)");
    return assertError(status, body, text);
  }

  /** Checks the error JSON's code and status; returns the error object. */
  private static JsonObject assertError(HttpResponse<Buffer> response, String code) {
    JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
    assertEquals(code, error.getString("code"), response.bodyAsString());
    assertEquals(response.statusCode(), error.getInteger("status"));
    return error;
  }

  private static JsonObject assertError(int status, Buffer body, String what) {
    JsonObject error = new JsonObject(body).getJsonObject("error");
    assertEquals(status, error.getInteger("status"), what);
    return error;
  }

  private HttpResponse<Buffer> send(HttpRequest<Buffer> request) throws Exception {
    return request.send().await(30, TimeUnit.SECONDS);
  }

  /** The project's version, as the pom says it. */
  private static String pomVersion() throws IOException {
    Matcher version = Pattern.compile("<artifactId>usergate</artifactId>\\s*<version>([^<]+)</version>")
      .matcher(Files.readString(TestConfig.projectDir().resolve("pom.xml")));
    assertTrue(version.find(), "the pom's version");
    return version.group(1);
  }

  private static String oversized() {
    return "{\"ids\": [" + "1, ".repeat(MAX_BODY) + "1]}";
  }

  private static String abbreviated(String text) {
    if (text == null) {
      return "(no body)";
    }
    return text.length() > 300 ? text.substring(0, 300) + "…" : text;
  }

  // ---- the document ----

  /** The YAML as JSON (keys as strings: YAML reads {@code 200:} as a number). */
  static JsonObject readYaml(Path file) {
    try {
      Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
      return (JsonObject) json(tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Object json(Object node) {
    if (node instanceof Map<?, ?> map) {
      JsonObject object = new JsonObject();
      map.forEach((key, value) -> object.put(String.valueOf(key), json(value)));
      return object;
    }
    if (node instanceof List<?> list) {
      JsonArray array = new JsonArray();
      list.forEach(value -> array.add(json(value)));
      return array;
    }
    if (node instanceof Date) {
      throw new IllegalArgumentException("quote the date " + node + " in openapi.yaml: YAML reads it as a timestamp");
    }
    return node;
  }

  /**
   * The document as vertx-openapi 5.0 validates against it, changed only where the library falls short:
   * bodies it cannot check ({@link #OPAQUE}) become opaque bytes (the test checks their
   * content type itself); response headers are named in lower case (it looks the headers of an answer up
   * lower-cased, by the name as the document writes it); and each path gets an operation for each method
   * it does not list, answering only the document's own {@code MethodNotAllowed}, so that 405s validate too.
   */
  static JsonObject validationView(JsonObject document) {
    JsonObject view = document.copy();
    JsonObject components = view.getJsonObject("components");
    for (JsonObject response : responseObjects(view)) {
      JsonObject content = response.getJsonObject("content");
      if (content != null) {
        for (String type : OPAQUE) {
          if (content.remove(type) != null) {
            content.put(OCTET_STREAM, new JsonObject());
          }
        }
      }
      JsonObject headers = response.getJsonObject("headers");
      if (headers != null) {
        JsonObject lower = new JsonObject();
        headers.forEach(header -> lower.put(header.getKey().toLowerCase(Locale.ROOT), header.getValue()));
        // vertx-openapi 5.0 decodes a header value that starts with a quote as JSON, and the draft's structured
        // fields ("default";q=1;w=1) are no JSON: withCallers checks these two itself, against the same patterns.
        UNDECODABLE_HEADERS.forEach(lower::remove);
        response.put("headers", lower);
      }
    }
    assertNotNull(components.getJsonObject("responses").getJsonObject("MethodNotAllowed"));
    JsonObject paths = view.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      // DELETE is no method of usergate's: the 405 answers of every method validate against it.
      assertFalse(item.containsKey("delete"), path);
      item.put("delete", new JsonObject().put("operationId", notAllowedId(path))
        .put("responses", new JsonObject().put("405", new JsonObject().put("$ref", "#/components/responses/MethodNotAllowed"))));
    }
    return view;
  }

  private static String notAllowedId(String path) {
    return "notAllowed " + path;
  }

  private static List<JsonObject> responseObjects(JsonObject document) {
    List<JsonObject> found = new ArrayList<>();
    document.getJsonObject("components").getJsonObject("responses").forEach(entry -> found.add((JsonObject) entry.getValue()));
    operations(document).values().forEach(op -> op.responses().forEach(entry -> found.add((JsonObject) entry.getValue())));
    return found;
  }

  /** An operation of the document: its path, its method, its object. */
  private record Op(String path, String method, JsonObject operation) {
    JsonObject responses() {
      return operation.getJsonObject("responses");
    }
  }

  /** Every operation of {@code document} by id. */
  private static Map<String, Op> operations(JsonObject document) {
    Map<String, Op> operations = new LinkedHashMap<>();
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        JsonObject operation = item.getJsonObject(method);
        String id = operation.getString("operationId");
        assertNull(operations.put(id, new Op(path, method, operation)), "operationId " + id + " once");
      }
    }
    return operations;
  }

  /** The response documented for {@code status} (or the default), its {@code $ref} followed; null when none. */
  private static JsonObject documentedResponse(String operationId, int status) {
    Op op = operations(DOCUMENT).getOrDefault(operationId, operations(VIEW).get(operationId));
    assertNotNull(op, "no operation " + operationId);
    JsonObject response = op.responses().getJsonObject(String.valueOf(status), op.responses().getJsonObject("default"));
    while (response != null && response.containsKey("$ref")) {
      String[] pointer = response.getString("$ref").substring(2).split("/");
      JsonObject target = DOCUMENT;
      for (String part : pointer) {
        target = target.getJsonObject(part);
      }
      response = target;
    }
    return response;
  }
}
