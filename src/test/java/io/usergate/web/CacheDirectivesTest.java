package io.usergate.web;

import io.usergate.fetch.FetchAddresses;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CacheDirectivesTest {

  private static JsonObject parse(String header) {
    return CacheDirectives.apply(header, new JsonObject());
  }

  @Test
  @DisplayName("no-cache, max-age=N and only-if-cached become the bus fields; case, spaces and quotes do not matter")
  void known() {
    assertEquals(new JsonObject().put(FetchAddresses.NO_CACHE, true), parse("no-cache"));
    assertEquals(new JsonObject().put(FetchAddresses.MAX_AGE_MS, 30_000L), parse(" Max-Age = 30 "));
    assertEquals(new JsonObject().put(FetchAddresses.MAX_AGE_MS, 5_000L), parse("max-age=\"5\""));
    assertEquals(new JsonObject().put(FetchAddresses.ONLY_IF_CACHED, true).put(FetchAddresses.MAX_AGE_MS, 0L),
      parse("only-if-cached, max-age=0"));
    assertEquals(new JsonObject().put(FetchAddresses.MAX_AGE_MS, 10_000L), parse("max-age=60, max-age=10"));
  }

  @Test
  @DisplayName("unknown directives and malformed values are ignored, never an error; a huge max-age does not overflow")
  void malformed() {
    for (String header : new String[] {"", ",,,", "max-age", "max-age=", "max-age=-1", "max-age=1.5", "max-age=abc",
      "no-store", "private, must-revalidate", "max-age=\"", "=", "\u0000\u00ff"}) {
      assertEquals(new JsonObject(), parse(header), header);
    }
    assertEquals(Integer.MAX_VALUE * 1000L, parse("max-age=99999999999999999999").getLong(FetchAddresses.MAX_AGE_MS));
    assertEquals(new JsonObject(), parse(null));
  }
}
