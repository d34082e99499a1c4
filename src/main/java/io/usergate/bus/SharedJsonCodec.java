package io.usergate.bus;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * A codec for JSON bodies that are never changed once sent (users, replies): delivered locally as the
 * same object instead of a deep copy, which the default JSON codec makes for every local message and
 * which showed at the top of the profile of {@code GET /users/{id}}. Across a cluster it travels as
 * JSON text like any other; every node registers it.
 */
public final class SharedJsonCodec implements MessageCodec<JsonObject, JsonObject> {

  public static final String NAME = "usergate-shared-json";

  /** Delivery options that send a body through this codec. */
  public static final DeliveryOptions SHARED = new DeliveryOptions().setCodecName(NAME);

  /** Registers the codec on this Vert.x once; every verticle that sends shared bodies calls it. */
  public static synchronized void register(Vertx vertx) {
    try {
      vertx.eventBus().registerCodec(new SharedJsonCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // Another verticle of this Vert.x registered it first.
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, JsonObject json) {
    Buffer encoded = json.toBuffer();
    buffer.appendInt(encoded.length());
    buffer.appendBuffer(encoded);
  }

  @Override
  public JsonObject decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return new JsonObject(buffer.slice(pos + 4, pos + 4 + length));
  }

  @Override
  public JsonObject transform(JsonObject json) {
    return json;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
