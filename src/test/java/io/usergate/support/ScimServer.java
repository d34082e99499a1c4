package io.usergate.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * A real SCIM 2.0 server: SCIMMY's Users resource on scimmy-routers and Express 4
 * ({@code src/test/scim/server.js}), in a Node child process started once per test JVM on first use and
 * stopped by a shutdown hook (and, should the JVM die without running it, when its stdin closes). Its output
 * goes to {@code target/scim.log}. It holds {@link #SEEDED_USERS} users in memory with UUID ids; a test that
 * changes them through the SCIM API calls {@link #reset()} first, so that no test depends on another's order.
 *
 * <p>The helpers block (java.net.http): call them from the test thread, never on an event loop.
 */
public final class ScimServer {

  public static final int SEEDED_USERS = 300;
  public static final String USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
  public static final String PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
  /** The most users one list answer holds (ServiceProviderConfig's filter.maxResults); larger counts are cut to it. */
  public static final int MAX_RESULTS = 200;
  private static final Duration START_WITHIN = Duration.ofSeconds(30);
  private static final Duration CALL_WITHIN = Duration.ofSeconds(10);
  private static final Pattern READY = Pattern.compile("scim-server listening on 127\\.0\\.0\\.1 port=(\\d+)");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static ScimServer shared;

  private final Process process;
  private final int port;
  private final String token;
  private final long startedInMs;

  private ScimServer(Process process, int port, String token, long startedInMs) {
    this.process = process;
    this.port = port;
    this.token = token;
    this.startedInMs = startedInMs;
  }

  /** The server of this JVM, started on the first call. */
  public static synchronized ScimServer get() {
    if (shared == null) {
      shared = start();
    }
    return shared;
  }

  private static ScimServer start() {
    Path project = TestConfig.projectDir().toAbsolutePath();
    Path dir = project.resolve("src/test/scim");
    if (!Files.isDirectory(dir.resolve("node_modules/scimmy-routers"))) {
      throw new IllegalStateException("the SCIM server's packages are not installed under " + dir.resolve("node_modules")
        + ": run npm ci --prefix src/test/scim (scripts/test does)");
    }
    Path log = project.resolve("target/scim.log");
    String token = "scim-" + UUID.randomUUID();
    long start = System.nanoTime();
    Process process;
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder builder = new ProcessBuilder("node", "server.js", "--port", "0",
        "--users", String.valueOf(SEEDED_USERS), "--exit-with-stdin")
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
      // In the environment, not the arguments: ps shows arguments to everyone.
      builder.environment().put("SCIM_TOKEN", token);
      process = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start node (Node.js 20 on the PATH) for the SCIM server: " + e, e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(process), "scim-server-stop"));
    int port;
    try {
      port = await().atMost(START_WITHIN).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
        .until(() -> readyPort(process, log), Optional::isPresent).orElseThrow();
    } catch (ConditionTimeoutException e) {
      stop(process);
      throw new IllegalStateException("the SCIM server printed no port within " + START_WITHIN + ":\n" + read(log), e);
    }
    long startedInMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    System.out.println("SCIM server on http://127.0.0.1:" + port + "/scim/v2, " + SEEDED_USERS + " users, ready in "
      + startedInMs + " ms (log: target/scim.log)");
    return new ScimServer(process, port, token, startedInMs);
  }

  private static Optional<Integer> readyPort(Process process, Path log) {
    String output = read(log);
    Matcher ready = READY.matcher(output);
    if (ready.find()) {
      return Optional.of(Integer.parseInt(ready.group(1)));
    }
    if (!process.isAlive()) {
      throw new IllegalStateException("the SCIM server exited with " + process.exitValue() + ":\n" + output);
    }
    return Optional.empty();
  }

  private static void stop(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code http://127.0.0.1:PORT/scim/v2}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port + "/scim/v2";
  }

  public int port() {
    return port;
  }

  /** The bearer token every request needs; without it the server answers 401. */
  public String token() {
    return token;
  }

  /** The {@code Authorization} header's value. */
  public String authorization() {
    return "Bearer " + token;
  }

  /** How long the first {@link #get()} waited for the server (a figure to print, not to assert on). */
  public long startedInMs() {
    return startedInMs;
  }

  /** Puts the {@link #SEEDED_USERS} seeded users back, as they were at start (same ids, names, versions). */
  public void reset() {
    expect(204, send(request("http://127.0.0.1:" + port + "/control/reset").POST(HttpRequest.BodyPublishers.noBody())));
  }

  /** The reads of /Users since start, by kind: {@code {"single", "filtered", "listed"}}. */
  public JsonObject requests() {
    return new JsonObject(expect(200, send(request("http://127.0.0.1:" + port + "/control/requests").GET())).body());
  }

  /** The user as GET /Users/{id} answers it; fails on anything but 200. */
  public JsonObject user(String id) {
    return new JsonObject(expect(200, send(request(userUrl(id)).GET())).body());
  }

  /** One list answer: {@code GET /Users?startIndex=&count=} with an optional {@code filter} (null for none). */
  public JsonObject list(String filter, int startIndex, int count) {
    String query = "?startIndex=" + startIndex + "&count=" + count
      + (filter == null ? "" : "&filter=" + URLEncoder.encode(filter, StandardCharsets.UTF_8));
    return new JsonObject(expect(200, send(request(baseUrl() + "/Users" + query).GET())).body());
  }

  /** Every user, walked page by page ({@link #MAX_RESULTS} a page) until {@code totalResults}. */
  public List<JsonObject> allUsers() {
    List<JsonObject> users = new ArrayList<>();
    int startIndex = 1;
    int total;
    do {
      JsonObject page = list(null, startIndex, MAX_RESULTS);
      JsonArray resources = page.getJsonArray("Resources");
      resources.forEach(user -> users.add((JsonObject) user));
      total = page.getInteger("totalResults");
      if (resources.isEmpty()) {
        break;
      }
      startIndex += resources.size();
    } while (startIndex <= total);
    return users;
  }

  /** Creates a user (POST /Users) from its SCIM JSON (schemas added when absent); returns it as created. */
  public JsonObject createUser(JsonObject user) {
    JsonObject body = user.copy();
    if (!body.containsKey("schemas")) {
      body.put("schemas", new JsonArray().add(USER_SCHEMA));
    }
    return new JsonObject(expect(201, send(request(baseUrl() + "/Users", "POST", body))).body());
  }

  /**
   * Replaces the user's given and family name with a PATCH, as a directory's admin would; returns the user
   * as changed (a new {@code meta.lastModified} and {@code meta.version}).
   */
  public JsonObject replaceName(String id, String givenName, String familyName) {
    JsonObject patch = new JsonObject()
      .put("schemas", new JsonArray().add(PATCH_SCHEMA))
      .put("Operations", new JsonArray().add(new JsonObject().put("op", "replace")
        .put("value", new JsonObject().put("name", new JsonObject().put("givenName", givenName).put("familyName", familyName)))));
    return new JsonObject(expect(200, send(request(userUrl(id), "PATCH", patch))).body());
  }

  /** Deletes the user (DELETE /Users/{id}); fails unless the server answers 204. */
  public void deleteUser(String id) {
    expect(204, send(request(userUrl(id)).DELETE()));
  }

  private String userUrl(String id) {
    return baseUrl() + "/Users/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
  }

  private HttpRequest.Builder request(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(CALL_WITHIN)
      .header("Authorization", authorization())
      .header("Accept", "application/scim+json");
  }

  private HttpRequest.Builder request(String url, String method, JsonObject body) {
    return request(url).header("Content-Type", "application/scim+json")
      .method(method, HttpRequest.BodyPublishers.ofString(body.encode(), StandardCharsets.UTF_8));
  }

  private HttpResponse<String> send(HttpRequest.Builder builder) {
    HttpRequest request = builder.build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(request.method() + " " + request.uri() + " failed" + (process.isAlive() ? "" : " (the SCIM server exited)"), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static HttpResponse<String> expect(int status, HttpResponse<String> response) {
    if (response.statusCode() != status) {
      throw new IllegalStateException(response.request().method() + " " + response.request().uri() + " answered "
        + response.statusCode() + ", not " + status + ": " + response.body());
    }
    return response;
  }
}
