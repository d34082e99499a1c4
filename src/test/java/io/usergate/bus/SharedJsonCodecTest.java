package io.usergate.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The shared codec's wire forms: binary for plain JSON values, text for the rest, and the text of older nodes read. */
class SharedJsonCodecTest {

  private final SharedJsonCodec codec = new SharedJsonCodec();

  private JsonObject roundTrip(JsonObject json, int offset) {
    Buffer buffer = Buffer.buffer();
    for (int i = 0; i < offset; i++) {
      buffer.appendByte((byte) 0x55);
    }
    codec.encodeToWire(buffer, json);
    return codec.decodeFromWire(offset, buffer);
  }

  @Test
  void plainValuesTravelInTheBinaryFormAndComeBackEqual() {
    JsonObject user = new JsonObject()
      .put("id", 7).put("big", 12_345_678_901L).put("score", 0.25).put("active", true).put("banned", false)
      .putNull("phone").put("name", "Zoë \"Ω\" O'Brien ✓").put("empty", "")
      .put("address", new JsonObject().put("city", "Gwenborough").put("geo", new JsonObject().put("lat", -37.3159)))
      .put("tags", new JsonArray().add("a").add(1).add(2L).add(new JsonArray()).add(new JsonObject()).addNull())
      .put("raw", Map.of("k", List.of(1, "x")));
    Buffer buffer = Buffer.buffer();
    codec.encodeToWire(buffer, user);
    assertEquals(SharedJsonCodec.BINARY, buffer.getByte(0));
    JsonObject back = roundTrip(user, 3);
    assertEquals(user, back);
    assertEquals(Long.class, back.getValue("big").getClass());
    assertEquals(Integer.class, back.getValue("id").getClass());
    assertEquals(List.of("id", "big", "score", "active", "banned", "phone", "name", "empty", "address", "tags", "raw"),
      List.copyOf(back.fieldNames()));
  }

  @Test
  void emptyObject() {
    assertEquals(new JsonObject(), roundTrip(new JsonObject(), 0));
  }

  @Test
  void otherValuesTravelAsJsonTextAndReadAsTheTextWould() {
    Instant at = Instant.parse("2026-01-01T00:00:00Z");
    JsonObject json = new JsonObject().put("id", 1).put("at", at).put("bytes", new byte[] {1, 2, 3});
    Buffer buffer = Buffer.buffer();
    codec.encodeToWire(buffer, json);
    assertNotEquals(SharedJsonCodec.BINARY, buffer.getByte(0));
    JsonObject back = codec.decodeFromWire(0, buffer);
    assertEquals(new JsonObject(json.encode()), back);
    assertEquals(at, back.getInstant("at"));
  }

  @Test
  void theTextFormOfEarlierVersionsIsRead() {
    JsonObject json = new JsonObject().put("id", 7).put("name", "x");
    Buffer encoded = json.toBuffer();
    Buffer buffer = Buffer.buffer().appendInt(encoded.length()).appendBuffer(encoded);
    assertEquals(json, codec.decodeFromWire(0, buffer));
  }
}
