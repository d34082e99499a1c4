package io.usergate.web;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.usergate.log.LogFormat;
import io.usergate.log.RequestIds;
import io.usergate.support.FakeDirectory;
import io.usergate.support.LogCapture;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
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
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** X-Request-Id: taken or made at the edge, echoed, in error JSON, in every log line of the request, sent upstream. */
class RequestIdTest {

  private Vertx vertx;
  private FakeDirectory upstream;
  private WebClient client;
  private int port;

  @BeforeEach
  void deploy() throws Exception {
    TestDatabase.execute(TestDatabase.pg(), "usergate", "TRUNCATE users");
    vertx = Vertx.vertx();
    upstream = new FakeDirectory();
    vertx.deployVerticle(upstream).await(10, TimeUnit.SECONDS);
    JsonObject config = TestConfig.forTests();
    config.getJsonObject("upstream").put("baseUrl", upstream.baseUrl()).put("retries", 0);
    // The cache on: a fetch then reads the mirror, so the request crosses web, fetch and store.
    config.getJsonObject("cache").put("freshForMs", 60_000L);
    config.getJsonObject("http").put("accessLog", true);
    port = Stack.all(vertx, config).actualPort();
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
    HttpResponse<Buffer> bad = get("/users/abc", "bad-one");
    assertEquals(400, bad.statusCode());
    assertEquals("bad-one", bad.bodyAsJsonObject().getJsonObject("error").getString("requestId"));
    HttpResponse<Buffer> none = get("/no/such/route", null);
    assertEquals(none.getHeader("X-Request-Id"), none.bodyAsJsonObject().getJsonObject("error").getString("requestId"));
  }

  @Test
  @DisplayName("log.format json: logback's JsonEncoder, one object a line, with time, level, logger, message and the request id")
  @SuppressWarnings("unchecked")
  void jsonLines() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    OutputStreamAppender<ILoggingEvent> console = (OutputStreamAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT");
    Encoder<ILoggingEvent> text = console.getEncoder();
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      LogFormat.apply("json");
      Logger logger = LoggerFactory.getLogger("io.usergate.RequestIdTest");
      // On a request's own (duplicated) context, as a handler runs.
      io.vertx.core.internal.ContextInternal request = ((io.vertx.core.internal.ContextInternal) vertx.getOrCreateContext()).duplicate();
      request.runOnContext(v -> {
        RequestIds.set("json-7");
        logger.info("served user {}", 7);
      });
      await().atMost(Duration.ofSeconds(5)).until(() -> captured.toString(StandardCharsets.UTF_8).contains("served user 7"));
    } finally {
      System.setOut(stdout);
      console.stop();
      console.setEncoder(text);
      console.start();
    }
    String line = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("served user 7")).findFirst().orElseThrow();
    JsonObject json = new JsonObject(line);
    assertEquals("INFO", json.getString("level"));
    assertEquals("io.usergate.RequestIdTest", json.getString("loggerName"));
    assertEquals("served user 7", json.getString("formattedMessage"));
    assertEquals("json-7", json.getJsonObject("mdc").getString("requestId"));
    assertTrue(json.getLong("timestamp") > 0);
  }
}
