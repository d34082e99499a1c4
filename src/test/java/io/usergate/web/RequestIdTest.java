package io.usergate.web;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.usergate.MainVerticle;
import io.usergate.log.LogFormat;
import io.usergate.log.RequestIds;
import io.usergate.support.FakeDirectory;
import io.usergate.support.LogCapture;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** X-Request-Id: taken or made at the edge, echoed, in error JSON, in every log line of the request, sent upstream. */
class RequestIdTest {

  private Vertx vertx;
  /** Store, fetch and sync, in that order. */
  private List<String> services;
  private FakeDirectory upstream;
  private WebClient client;
  private int port;

  @BeforeEach
  void deploy() throws Exception {
    TestDatabase.execute("TRUNCATE users");
    vertx = Vertx.vertx();
    upstream = new FakeDirectory().deployOn(vertx);
    JsonObject config = TestConfig.against(upstream);
    // The cache on: a fetch then reads the mirror, so the request crosses web, fetch and store.
    TestConfig.withCache(config, 60_000L);
    config.getJsonObject("http").put("accessLog", true);
    services = Stack.services(vertx, config);
    HttpVerticle web = new HttpVerticle();
    Stack.deploy(vertx, MainVerticle.WEB, web, config);
    port = web.actualPort();
    client = WebClient.create(vertx);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private HttpResponse<Buffer> get(String uri, String requestId) throws Exception {
    var request = client.get(port, "127.0.0.1", uri);
    if (requestId != null) {
      request.putHeader("X-Request-Id", requestId);
    }
    return request.send().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a sane id is echoed, sent to the upstream, and in the log lines of the web, fetch and store verticles; no other request's")
  void followsTheRequest() throws Exception {
    try (LogCapture logs = LogCapture.everything()) {
      HttpResponse<Buffer> answer = get("/users/7", "trace-abc.123");
      assertEquals(200, answer.statusCode());
      assertEquals("trace-abc.123", answer.getHeader("X-Request-Id"));
      assertEquals(List.of("trace-abc.123"), upstream.requestIds());
      get("/users/8", "other-request");
      await().atMost(Duration.ofSeconds(5)).until(() -> logs.linesWithRequestId("trace-abc.123").stream()
        .anyMatch(line -> line.contains("GET /users/7")));
      List<String> lines = logs.linesWithRequestId("trace-abc.123");
      for (String part : new String[]{"usergate.fetch.one", "usergate.store.getMany", "GET /users/7"}) {
        assertTrue(lines.stream().anyMatch(line -> line.contains(part)), part + " in " + lines);
      }
      assertTrue(lines.stream().noneMatch(line -> line.contains("/users/8")), "another request's line: " + lines);
      // The access log names the caller: here none was configured, so anonymous.
      assertTrue(lines.stream().anyMatch(line -> line.contains("GET /users/7") && line.contains("caller=anonymous")), lines.toString());
    }
  }

  @Test
  @DisplayName("an id that is not sane (too long, other characters, none) is replaced by a new one; errors carry it in their JSON")
  void insaneIdsAreReplacedAndErrorsCarryTheirs() throws Exception {
    for (String offered : new String[]{null, "../etc/passwd", "a b", "x".repeat(129), "é"}) {
      HttpResponse<Buffer> answer = get("/users/7", offered);
      String id = answer.getHeader("X-Request-Id");
      assertNotEquals(offered, id);
      assertEquals(RequestIds.saneOrNew(id), id, "the new id is sane itself: " + id);
    }
    assertEquals("x".repeat(128), get("/users/7", "x".repeat(128)).getHeader("X-Request-Id"));
    HttpResponse<Buffer> bad = get("/users/a%01bc", "bad-one");
    assertEquals(400, bad.statusCode());
    assertEquals("bad-one", bad.bodyAsJsonObject().getJsonObject("error").getString("requestId"));
    HttpResponse<Buffer> none = get("/no/such/route", null);
    assertEquals(none.getHeader("X-Request-Id"), none.bodyAsJsonObject().getJsonObject("error").getString("requestId"));
  }

  @Test
  @DisplayName("log.format json: Elastic Common Schema lines, one object a line; a request's line carries its http.request.id; a failure's stack trace is one error.stack_trace")
  void jsonLines() throws Exception {
    List<JsonObject> lines = withJsonConsole(() -> {
      assertEquals(200, get("/users/7", "json-7").statusCode());
      // A verticle gone: the route's request fails inside usergate (500 INTERNAL), logged with its exception.
      vertx.undeploy(services.get(2)).await(30, TimeUnit.SECONDS);
      assertEquals(500, get("/sync", "json-boom").statusCode());
      // An exception no handler caught, on a request's own context: Vert.x logs it with its stack trace.
      ContextInternal request = ((ContextInternal) vertx.getOrCreateContext()).duplicate();
      request.runOnContext(v -> {
        RequestIds.set("json-bug");
        throw new IllegalStateException("a bug", new IOException("its cause"));
      });
    }, "GET /users/7", "GET /sync failed", "a bug");
    JsonObject served = lines.stream().filter(line -> line.getString("message").contains("GET /users/7 HTTP/1.1 200")).findFirst()
      .orElseThrow(() -> new AssertionError("no access-log line: " + lines));
    assertEquals("json-7", served.getString("http.request.id"), served.encode());
    assertEquals("INFO", served.getString("log.level"));
    assertEquals("usergate", served.getString("service.name"));
    assertTrue(served.getString("process.thread.name").startsWith("vert.x-eventloop-thread-"), served.encode());
    assertTrue(served.getString("log.logger").startsWith("io.vertx.ext.web."), "vertx-web's access log: " + served.encode());
    // ISO-8601 in UTC, as every shipper parses it; no logback-only fields.
    Instant at = Instant.parse(served.getString("@timestamp"));
    assertTrue(Duration.between(at, Instant.now()).abs().toMinutes() < 5, served.encode());
    for (String logbackOnly : List.of("formattedMessage", "mdc", "timestamp", "loggerName")) {
      assertFalse(served.containsKey(logbackOnly), logbackOnly + " in " + served.encode());
    }
    JsonObject failed = lines.stream().filter(line -> line.getString("message").equals("web: GET /sync failed")).findFirst()
      .orElseThrow(() -> new AssertionError("no error line: " + lines));
    assertEquals("ERROR", failed.getString("log.level"));
    assertEquals("json-boom", failed.getString("http.request.id"), failed.encode());
    assertEquals(ReplyException.class.getName(), failed.getString("error.type"), failed.encode());
    assertEquals("No handlers for address usergate.sync.status", failed.getString("error.message"));
    // Vert.x makes a ReplyException without frames: the trace is its one line.
    assertTrue(failed.getString("error.stack_trace").contains("No handlers for address usergate.sync.status"), failed.encode());
    JsonObject bug = lines.stream().filter(line -> "a bug".equals(line.getString("error.message"))).findFirst()
      .orElseThrow(() -> new AssertionError("no line of the unhandled exception: " + lines));
    assertEquals("ERROR", bug.getString("log.level"));
    assertEquals("json-bug", bug.getString("http.request.id"), bug.encode());
    assertEquals(IllegalStateException.class.getName(), bug.getString("error.type"));
    String trace = bug.getString("error.stack_trace");
    assertTrue(trace.startsWith("java.lang.IllegalStateException: a bug" + System.lineSeparator() + "\tat io.usergate.web.RequestIdTest")
      && trace.contains("Caused by: java.io.IOException: its cause"), "the whole stack trace, causes included, one string: " + trace);
  }

  @Test
  @DisplayName("log.format json: the line of a request carries no other request's id, and a line outside any request carries none")
  void jsonLinesKeepRequestsApart() throws Exception {
    Logger logger = LoggerFactory.getLogger("io.usergate.RequestIdTest");
    List<JsonObject> lines = withJsonConsole(() -> {
      get("/users/7", "first-one");
      logger.info("outside any request");
      get("/users/8", "second-one");
    }, "GET /users/7", "outside any request", "GET /users/8");
    assertEquals(List.of("first-one"), idsOfLinesWith(lines, "GET /users/7 "));
    assertEquals(List.of("second-one"), idsOfLinesWith(lines, "GET /users/8 "));
    assertEquals(Collections.singletonList(null), idsOfLinesWith(lines, "outside any request"));
  }

  /** The http.request.id (null when none) of each line whose message holds {@code fragment}. */
  private static List<String> idsOfLinesWith(List<JsonObject> lines, String fragment) {
    return lines.stream().filter(line -> line.getString("message").contains(fragment))
      .map(line -> line.getString("http.request.id")).toList();
  }

  /** A step that may throw. */
  private interface Step {
    void run() throws Exception;
  }

  /**
   * Runs {@code step} with the console in {@code log.format json}, written to a buffer, until a line holding each of
   * {@code awaited} has been written; returns every line, each parsed (a line that is not one JSON object fails).
   */
  @SuppressWarnings("unchecked")
  private static List<JsonObject> withJsonConsole(Step step, String... awaited) throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    OutputStreamAppender<ILoggingEvent> console = (OutputStreamAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT");
    Encoder<ILoggingEvent> text = console.getEncoder();
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    // usergate's own loggers down to DEBUG (a line per bus message answered): more lines, each of which must parse.
    try (LogCapture everything = LogCapture.everything()) {
      // JSON first, then the capture: a line another thread logs in between (the sync's queue poll) must
      // not reach the capture in the text format.
      LogFormat.apply("json");
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      step.run();
      await().atMost(Duration.ofSeconds(5)).until(() -> {
        String written = captured.toString(StandardCharsets.UTF_8);
        return Arrays.stream(awaited).allMatch(written::contains);
      });
    } finally {
      System.setOut(stdout);
      console.stop();
      console.setEncoder(text);
      console.start();
    }
    return captured.toString(StandardCharsets.UTF_8).lines().map(line -> {
      try {
        return new JsonObject(line);
      } catch (RuntimeException e) {
        throw new AssertionError("not one JSON object: " + line, e);
      }
    }).toList();
  }
}
