package io.usergate.web;

import io.usergate.fetch.FetchAddresses;
import io.usergate.support.Bus;
import io.usergate.support.InProcessService;
import io.usergate.support.Sql;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ids are the directory's text: a real directory on loopback whose ids are those of production directories
 * (Auth0's {@code auth0|…}, an Okta id, a UUID, a Google number longer than a {@code long}, one with a comma),
 * reached through every route and the bus, and kept in the mirror in byte order.
 */
class StringIdsTest {

  static final String AUTH0 = "auth0|5457edea1b8f22891a000004";
  static final String OKTA = "00ub0oNGTSWTBKOLGLNR";
  static final String UUID = "1b2e4f6a-7c8d-4e9f-a0b1-c2d3e4f5a6b7";
  static final String GOOGLE = "118280927273837483920117";
  static final String COMMA = "ou=people,cn=zoë";
  static final List<String> IDS = List.of(AUTH0, OKTA, UUID, GOOGLE, COMMA);

  private static InProcessService service;
  /** The request paths the directory saw, raw (as sent on the wire). */
  private static final List<String> seen = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    TestDatabase.execute(TestDatabase.pg(), "usergate", "TRUNCATE users", "TRUNCATE sync_jobs");
    service = new InProcessService(Vertx.vertx());
    HttpServer directory = service.vertx.createHttpServer().requestHandler(request -> {
      seen.add(request.uri());
      String path = request.path();
      String id = path.startsWith("/users/") ? URLDecoder.decode(path.substring(7), StandardCharsets.UTF_8) : null;
      if (id != null && IDS.contains(id)) {
        request.response().putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("id", id).put("name", "User " + id).encode());
      } else {
        request.response().setStatusCode(404).end("{}");
      }
    });
    int directoryPort = directory.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    JsonObject config = TestConfig.forTests();
    config.getJsonObject("upstream").put("baseUrl", "http://127.0.0.1:" + directoryPort).put("retries", 0)
      .put("breakerEnabled", false);
    config.getJsonObject("sync").put("intervalMs", 60_000);
    config.getJsonObject("http").put("drainDelayMs", 0);
    service.deploy(config);
  }

  @AfterAll
  static void stop() throws Exception {
    service.close();
  }

  private static String encoded(String id) {
    return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Test
  @DisplayName("GET /users/{id} takes the id percent-decoded, and the directory gets it percent-encoded into upstream.userPath")
  void onePerPath() throws Exception {
    HttpResponse<Buffer> auth0 = service.get("/users/" + encoded(AUTH0));
    assertEquals(200, auth0.statusCode(), auth0.bodyAsString());
    assertEquals(AUTH0, auth0.bodyAsJsonObject().getString("id"));
    assertTrue(seen.contains("/users/auth0%7C5457edea1b8f22891a000004"), seen.toString());

    HttpResponse<Buffer> google = service.get("/users/" + GOOGLE);
    assertEquals(GOOGLE, google.bodyAsJsonObject().getString("id"), "longer than a long: still the directory's text");
    assertEquals(404, service.get("/users/" + encoded("nobody|here")).statusCode());
  }

  @Test
  @DisplayName("a settled fan-out names each id as asked, in order; a repeated ids= is one id each, commas and all")
  void fanOut() throws Exception {
    HttpResponse<Buffer> settled = service.get("/users?mode=settled&ids=" + encoded(OKTA) + "&ids=" + encoded(COMMA)
      + "&ids=" + encoded(UUID) + "&ids=missing");
    assertEquals(200, settled.statusCode(), settled.bodyAsString());
    JsonArray results = settled.bodyAsJsonObject().getJsonArray("results");
    List<Object> named = new ArrayList<>();
    results.forEach(result -> named.add(((JsonObject) result).getValue("id")));
    assertEquals(List.of(OKTA, COMMA, UUID, "missing"), named);
    assertEquals(COMMA, results.getJsonObject(1).getJsonObject("user").getString("id"));
    assertEquals("NOT_FOUND", results.getJsonObject(3).getJsonObject("error").getString("code"));

    HttpResponse<Buffer> batch = service.client.post(service.port(), "127.0.0.1", "/users/batch")
      .sendJsonObject(new JsonObject().put("ids", new JsonArray().add(AUTH0).add(GOOGLE))).await(30, TimeUnit.SECONDS);
    assertEquals(200, batch.statusCode(), batch.bodyAsString());
    assertEquals(GOOGLE, batch.bodyAsJsonObject().getJsonArray("users").getJsonObject(1).getString("id"));
  }

  @Test
  @DisplayName("on the bus the ids are strings; an id no directory would send is a 400 naming the rule, and never reaches it")
  void busAndRefusals() throws Exception {
    assertEquals(OKTA, Bus.call(service.vertx, FetchAddresses.ONE, new JsonObject().put("id", OKTA)).getString("id"));
    int before = seen.size();
    for (String uri : List.of("/users/a%07b", "/users/" + "x".repeat(257), "/users?ids=ok,%00")) {
      HttpResponse<Buffer> refused = service.get(uri);
      assertEquals(400, refused.statusCode(), uri);
      assertTrue(refused.bodyAsJsonObject().getJsonObject("error").getString("message").contains("without control characters"),
        refused.bodyAsString());
    }
    Bus.failure(service.vertx, FetchAddresses.ONE, new JsonObject().put("id", "x".repeat(257)), "BAD_REQUEST", 400);
    assertEquals(before, seen.size(), "nothing reached the directory");
  }

  @Test
  @DisplayName("GET /store/users pages the mirror by id in byte order, its after cursor being the last id, as text")
  void mirrorPagesInByteOrder() throws Exception {
    for (String id : IDS) {
      assertEquals(200, service.get("/users/" + encoded(id)).statusCode());
    }
    Sql.awaitCount("SELECT count(*) FROM users", IDS.size(), 10_000);
    List<String> listed = new ArrayList<>();
    String after = "";
    for (int pages = 0; pages < 10 && after != null; pages++) {
      JsonObject page = service.get("/store/users?limit=2&after=" + encoded(after)).bodyAsJsonObject();
      page.getJsonArray("users").forEach(user -> listed.add(((JsonObject) user).getString("id")));
      after = page.getValue("next") == null ? null : page.getValue("next").toString();
    }
    List<String> byteOrder = IDS.stream().sorted((a, b) -> Arrays.compareUnsigned(
      a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8))).toList();
    assertEquals(byteOrder, listed);
    HttpResponse<Buffer> stored = service.get("/store/users/" + encoded(AUTH0));
    assertEquals(Map.of("id", AUTH0, "name", "User " + AUTH0), stored.bodyAsJsonObject().getMap());
  }
}
