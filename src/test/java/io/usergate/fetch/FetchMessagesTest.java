package io.usergate.fetch;

import io.usergate.cache.Freshness.Directives;
import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FetchMessagesTest {

  @Test
  @DisplayName("fetch.one and fetch.many read back what they wrote, options included, and leave out what is default")
  void roundTrips() {
    FetchMessages.One one = new FetchMessages.One("7", new Directives(5_000L, false, true), true, "web-1");
    assertEquals(one, FetchMessages.One.fromJson(one.toJson()));
    assertEquals(new JsonObject().put("id", "7"), FetchMessages.One.of("7").toJson());

    FetchMessages.Many many = new FetchMessages.Many(List.of("3", "auth0|5457", "3"), true, Directives.LIVE, false, null);
    assertEquals(many, FetchMessages.Many.fromJson(many.toJson(), 10));
    assertEquals(new JsonObject().put("ids", new JsonArray().add("1")).put("mode", "all"),
      new FetchMessages.Many(List.of("1"), false, Directives.NONE, true, null).toJson());

    FetchMessages.Many named = new FetchMessages.Many(List.of("1"), false, Directives.NONE, true, null, "quiet");
    assertEquals("quiet", named.toJson().getString("caller"));
    assertEquals(named, FetchMessages.Many.fromJson(named.toJson(), 10));
    FetchMessages.One oneNamed = new FetchMessages.One("7", Directives.NONE, false, null, "quiet");
    assertEquals(oneNamed, FetchMessages.One.fromJson(oneNamed.toJson()));
    assertEquals("anonymous", FetchMessages.One.fromJson(new JsonObject().put("id", 7)).caller(), "no caller: anonymous");
    assertEquals("anonymous", new FetchMessages.One("7", Directives.NONE, false, null, null).caller());
  }

  @Test
  @DisplayName("fetch.page reads back what it wrote, at an offset or at a cursor, and its position is what the walk asks for next")
  void pageRoundTrips() {
    FetchMessages.Page first = FetchMessages.Page.at(new JsonObject().put("offset", 0), 50, "node/walk-1/0");
    assertEquals(new JsonObject().put("offset", 0L).put("limit", 50).put("requestId", "node/walk-1/0"), first.toJson());
    assertEquals(first, FetchMessages.Page.fromJson(first.toJson()));
    FetchMessages.Page next = FetchMessages.Page.at(new JsonObject().put("cursor", "https://idp/users?after=x"), 50, null);
    assertTrue(next.byCursor());
    assertEquals(new JsonObject().put("cursor", "https://idp/users?after=x"), next.position());
    assertEquals(next, FetchMessages.Page.fromJson(next.toJson()));
  }

  @Test
  @DisplayName("a settled reply names each id as asked, with its user or its error, and counts them; it reads back")
  void settledReply() {
    JsonObject reply = FetchMessages.settledReply(List.of(
      new FetchMessages.Result("1", new JsonObject().put("id", 1).put("name", "A"), null),
      FetchMessages.Result.failed("b-2", ErrorCode.NOT_FOUND.error("no user b-2", "b-2"))));
    assertEquals(1, reply.getInteger("succeeded"));
    assertEquals(1, reply.getInteger("failed"));
    List<FetchMessages.Result> results = FetchMessages.Result.listFrom(reply);
    assertEquals("A", results.get(0).user().getString("name"));
    assertEquals("NOT_FOUND", results.get(1).error().getString("code"));
  }

  @Test
  @DisplayName("each malformed field is a BAD_REQUEST that names it, whatever the caller sent")
  void validates() {
    assertBad("id", () -> FetchMessages.One.fromJson(new JsonObject().put("id", "sev\u0000en")));
    assertBad("id", () -> FetchMessages.One.fromJson(new JsonObject().put("id", "x".repeat(257))));
    assertBad("id", () -> FetchMessages.One.fromJson(new JsonObject().put("id", 7.5)));
    assertBad("staleFallback", () -> FetchMessages.One.fromJson(new JsonObject().put("id", 7).put("staleFallback", "yes")));
    assertBad("maxAgeMs", () -> FetchMessages.One.fromJson(new JsonObject().put("id", 7).put("maxAgeMs", -1)));
    assertBad("noCache", () -> FetchMessages.One.fromJson(new JsonObject().put("id", 7).put("noCache", 1)));
    assertBad("requestId", () -> FetchMessages.One.fromJson(new JsonObject().put("id", 7).put("requestId", 7)));
    assertBad("requestId", () -> FetchMessages.One.fromJson(new JsonObject().put("id", 7).put("requestId", "x".repeat(201))));
    assertBad("mode", () -> FetchMessages.Many.fromJson(new JsonObject().put("ids", new JsonArray().add(1)).put("mode", "some"), 10));
    assertBad("ids", () -> FetchMessages.Many.fromJson(new JsonObject().put("ids", new JsonArray().add(1).add(2)), 1));
    assertBad("caller", () -> FetchMessages.One.fromJson(new JsonObject().put("id", 7).put("caller", "")));
    assertBad("caller", () -> FetchMessages.One.fromJson(new JsonObject().put("id", 7).put("caller", "a\nb")));
    assertBad("caller", () -> FetchMessages.Many.fromJson(new JsonObject().put("ids", new JsonArray().add(1)).put("caller", 7), 10));
    assertBad("caller", () -> FetchMessages.Many.fromJson(
      new JsonObject().put("ids", new JsonArray().add(1)).put("caller", "x".repeat(201)), 10));
    assertBad("writeThrough", () -> FetchMessages.Many.fromJson(
      new JsonObject().put("ids", new JsonArray().add(1)).put("writeThrough", "no"), 10));
    assertBad("offset", () -> FetchMessages.Page.fromJson(new JsonObject().put("offset", -1).put("limit", 5)));
    assertBad("offset", () -> FetchMessages.Page.fromJson(new JsonObject().put("offset", "0").put("limit", 5)));
    assertBad("cursor", () -> FetchMessages.Page.fromJson(new JsonObject().put("cursor", "").put("limit", 5)));
    assertBad("cursor", () -> FetchMessages.Page.fromJson(new JsonObject().put("cursor", "x".repeat(8193)).put("limit", 5)));
    assertBad("limit", () -> FetchMessages.Page.fromJson(new JsonObject().put("offset", 0).put("limit", 1001)));
    assertBad("limit", () -> FetchMessages.Page.fromJson(new JsonObject().put("offset", 0)));
    assertBad("requestId", () -> FetchMessages.Page.fromJson(new JsonObject().put("offset", 0).put("limit", 5).put("requestId", 7)));
  }

  private static void assertBad(String field, Runnable read) {
    UsergateException error = assertThrows(UsergateException.class, read::run);
    assertEquals(ErrorCode.BAD_REQUEST, error.code());
    assertTrue(error.getMessage().contains(field), error.getMessage());
  }
}
