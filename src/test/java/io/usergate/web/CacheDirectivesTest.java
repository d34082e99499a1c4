package io.usergate.web;

import io.usergate.cache.Freshness.Directives;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static io.usergate.web.CacheDirectives.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;

class CacheDirectivesTest {

  @Test
  @DisplayName("no-cache, max-age=N and only-if-cached become the cache's directives; case, spaces and quotes do not matter")
  void known() {
    assertEquals(new Directives(null, true, false), parse("no-cache"));
    assertEquals(new Directives(30_000L, false, false), parse(" Max-Age = 30 "));
    assertEquals(new Directives(5_000L, false, false), parse("max-age=\"5\""));
    assertEquals(new Directives(0L, false, true), parse("only-if-cached, max-age=0"));
    assertEquals(new Directives(10_000L, false, false), parse("max-age=60, max-age=10"));
  }

  @Test
  @DisplayName("unknown directives and malformed values are ignored, never an error; a huge max-age does not overflow")
  void malformed() {
    for (String header : new String[] {"", ",,,", "max-age", "max-age=", "max-age=-1", "max-age=1.5", "max-age=abc",
      "no-store", "private, must-revalidate", "max-age=\"", "=", "\u0000\u00ff"}) {
      assertEquals(Directives.NONE, parse(header), header);
    }
    assertEquals(Integer.MAX_VALUE * 1000L, parse("max-age=99999999999999999999").maxAgeMs());
    assertEquals(Directives.NONE, parse(null));
  }
}
