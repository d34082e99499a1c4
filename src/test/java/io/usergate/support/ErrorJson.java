package io.usergate.support;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP error contract, checked on an answer: {@code {"error": {"code", "status", "message"}}}, JSON, no stack trace. */
public final class ErrorJson {

  private ErrorJson() {
  }

  /** Checks status, content type and the error JSON; returns the error object. */
  public static JsonObject assertError(HttpResponse<Buffer> response, int status, String code) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    assertTrue(response.getHeader("Content-Type").startsWith("application/json"));
    JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
    assertEquals(code, error.getString("code"), response.bodyAsString());
    assertEquals(status, error.getInteger("status"));
    assertNotNull(error.getString("message"));
    assertTrue(!response.bodyAsString().contains("\tat "), "never a stack trace");
    return error;
  }
}
