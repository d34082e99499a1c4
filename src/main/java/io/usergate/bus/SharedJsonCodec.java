package io.usergate.bus;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * A codec for JSON bodies that are never changed once sent (users, replies): delivered locally as the
 * same object instead of a deep copy, which the default JSON codec makes for every local message and
 * which showed at the top of the profile of {@code GET /users/{id}}. Across a cluster it travels as
 * JSON text; every usergate verticle registers it. A sender that is not usergate (another
 * application's node, a bridge) knows nothing of it, so replies use it only for senders that say,
 * by {@link #NODE_HEADER}, that they run in this very Vert.x ({@link #replyOptions}).
 */
public final class SharedJsonCodec implements MessageCodec<JsonObject, JsonObject> {

  public static final String NAME = "usergate-shared-json";

  /** Delivery options that send a body through this codec, to a usergate verticle. */
  public static final DeliveryOptions SHARED = new DeliveryOptions().setCodecName(NAME);

  /** Request header: the sender's Vert.x instance, so a reply can tell whether it stays local. */
  public static final String NODE_HEADER = "usergate-node";

  private static final String NODE_KEY = "node";

  /** Registers the codec on this Vert.x once; every verticle that sends shared bodies calls it. */
  public static synchronized void register(Vertx vertx) {
    try {
      vertx.eventBus().registerCodec(new SharedJsonCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // Another verticle of this Vert.x registered it first.
    }
  }

  /** A token unique to this Vert.x instance (not the cluster's node id, which is not public API). */
  public static String nodeToken(Vertx vertx) {
    return vertx.sharedData().<String, String>getLocalMap(NAME)
      .computeIfAbsent(NODE_KEY, key -> java.util.UUID.randomUUID().toString());
  }

  /** Options for a request from a usergate verticle: marks it as coming from this Vert.x. */
  public static DeliveryOptions requestOptions(Vertx vertx) {
    return new DeliveryOptions().addHeader(NODE_HEADER, nodeToken(vertx));
  }

  /** Whether {@code request} comes from a usergate verticle in this very Vert.x. */
  public static boolean fromThisVertx(Vertx vertx, Message<?> request) {
    return nodeToken(vertx).equals(request.headers().get(NODE_HEADER));
  }

  /** The shared codec for a reply to a sender in this Vert.x, the default JSON codec for anyone else. */
  public static DeliveryOptions replyOptions(Vertx vertx, Message<?> request) {
    return nodeToken(vertx).equals(request.headers().get(NODE_HEADER)) ? new DeliveryOptions(SHARED) : new DeliveryOptions();
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
