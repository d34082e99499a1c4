package io.usergate.web;

import io.usergate.error.ErrorCode;
import io.usergate.user.User;
import io.usergate.user.UserId;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Locale;

/**
 * What a request brings, checked where it enters and turned into a bus body: query parameters and JSON
 * bodies. Anything malformed is {@code BAD_REQUEST}, saying what was expected.
 */
final class Params {

  private Params() {
  }

  /**
   * {@code ?after=&limit=} of a keyset page by user id, as the bus fields: {@code after} an id (text; a digits
   * one goes as the integer integer callers always sent), absent or empty from the start.
   */
  static JsonObject afterAndLimit(RoutingContext ctx) {
    JsonObject page = limit(ctx);
    String after = ctx.queryParams().get("after");
    if (after != null && !after.isEmpty()) {
      page.put("after", UserId.json(UserId.parse(after, "after")));
    }
    return page;
  }

  /** {@code ?after=&limit=&tail=} of the change feed: {@code after} and {@code tail} are sequence numbers. */
  static JsonObject changesPage(RoutingContext ctx) {
    JsonObject page = limit(ctx);
    String after = ctx.queryParams().get("after");
    if (after != null && !after.isEmpty()) {
      page.put("after", after.equals("0") ? 0 : UserId.positive(after, "after"));
    }
    String tail = ctx.queryParams().get("tail");
    if (tail != null && !tail.isEmpty()) {
      page.put("tail", UserId.positive(tail, "tail"));
    }
    return page;
  }

  private static JsonObject limit(RoutingContext ctx) {
    JsonObject page = new JsonObject();
    String limit = ctx.queryParams().get("limit");
    if (limit != null && !limit.isEmpty()) {
      page.put("limit", (int) Math.min(Integer.MAX_VALUE, UserId.positive(limit, "limit")));
    }
    return page;
  }

  /** {@code ?state=&after=&limit=} of the queue. */
  static JsonObject jobsPage(RoutingContext ctx) {
    JsonObject page = afterAndLimit(ctx);
    String state = ctx.queryParams().get("state");
    if (state != null && !state.isEmpty()) {
      page.put("state", state);
    }
    return page;
  }

  /** The jobs a retry or discard names: {@code {"ids": [...]}} or {@code {"state": "failed"}}. */
  static JsonObject selection(RoutingContext ctx) {
    JsonObject body = jsonBody(ctx, "{\"ids\": [...]} or {\"state\": \"failed\"}");
    JsonObject selection = new JsonObject();
    if (body.containsKey("ids")) {
      selection.put("ids", body.getValue("ids"));
    }
    if (body.containsKey("state")) {
      selection.put("state", body.getValue("state"));
    }
    return selection;
  }

  /** The body as a JSON object, or BAD_REQUEST saying what is expected ({@code shape}). */
  static JsonObject jsonBody(RoutingContext ctx, String shape) {
    String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw ErrorCode.BAD_REQUEST.error("the body must be JSON (Content-Type: application/json): " + shape);
    }
    Object body;
    try {
      Buffer buffer = ctx.body().buffer();
      body = buffer == null || buffer.length() == 0 ? null : Json.decodeValue(buffer);
    } catch (DecodeException e) {
      throw ErrorCode.BAD_REQUEST.error("the body is not valid JSON; expected " + shape);
    }
    if (!(body instanceof JsonObject object)) {
      throw ErrorCode.BAD_REQUEST.error("the body must be a JSON object " + shape + ", not " + User.describe(body));
    }
    return object;
  }

  /** Every {@code ids} parameter: once, a comma-separated list of ids; repeated, one id each. */
  static JsonArray ids(RoutingContext ctx) {
    List<String> values = ctx.queryParams().getAll("ids");
    if (values.isEmpty()) {
      throw ErrorCode.BAD_REQUEST.error("ids is required, as comma-separated ids: ?ids=1,2,3 (or ?ids=1&ids=2; "
        + "an id holding a comma: repeat ids= with it alone, or POST /users/batch)");
    }
    JsonArray ids = new JsonArray();
    for (String value : values) {
      // ids= repeated: each is one id (an id may hold a comma); once: a comma-separated list.
      String[] parts = values.size() > 1 ? new String[] {value} : value.split(",", -1);
      for (String part : parts) {
        ids.add(UserId.json(UserId.parse(part, "ids[" + ids.size() + "]")));
      }
    }
    return ids;
  }
}
