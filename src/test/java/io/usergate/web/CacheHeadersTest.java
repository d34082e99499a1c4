package io.usergate.web;

import io.usergate.cache.Validators;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CacheHeadersTest {

  @Test
  @DisplayName("the ETag follows the bytes; If-None-Match matches it, weak or in a list, or *; anything malformed does not")
  void etags() {
    String etag = Validators.etag(Buffer.buffer("{\"id\":7}"));
    assertEquals(etag, Validators.etag(Buffer.buffer("{\"id\":7}")));
    assertNotEquals(etag, Validators.etag(Buffer.buffer("{\"id\":8}")));
    assertTrue(etag.startsWith("\"") && etag.endsWith("\""));
    assertTrue(CacheHeaders.matches(etag, etag));
    assertTrue(CacheHeaders.matches("W/" + etag, etag));
    assertTrue(CacheHeaders.matches("\"x\", " + etag, etag));
    assertTrue(CacheHeaders.matches("*", etag));
    for (String bad : new String[] {"", ",", "\"x\"", etag.substring(1), "W/", "\u0000"}) {
      assertFalse(CacheHeaders.matches(bad, etag), bad);
    }
    assertFalse(CacheHeaders.matches(null, etag));
  }
}
