package io.usergate.bus;

import io.usergate.HeaderNames;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A codec for JSON bodies that are never changed once sent (users, replies): delivered locally as the
 * same object instead of a deep copy, which the default JSON codec makes for every local message and
 * which showed at the top of the profile of {@code GET /users/{id}}. Across a cluster it travels in a
 * compact binary form (typed values, no JSON text: Jackson's databind was a fifth of the clustered
 * request/reply profile), or as JSON text when the object holds values of other types; it reads both,
 * and the text form of earlier versions. A node of an earlier version does not read the binary form:
 * a cluster is upgraded as a whole. Every usergate verticle registers the codec. A sender that is not
 * usergate (another application's node, a bridge) knows nothing of it, so replies use it only for
 * senders that say, by {@link HeaderNames#BUS_NODE}, that they are usergate verticles ({@link #replyOptions}).
 */
public final class SharedJsonCodec implements MessageCodec<JsonObject, JsonObject> {

  public static final String NAME = "usergate-shared-json";

  /** Delivery options that send a body through this codec, to a usergate verticle. */
  public static final DeliveryOptions SHARED = new DeliveryOptions().setCodecName(NAME);

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
      .computeIfAbsent(NODE_KEY, key -> UUID.randomUUID().toString());
  }

  /** Options for a request from a usergate verticle: marks it as coming from this Vert.x. */
  public static DeliveryOptions requestOptions(Vertx vertx) {
    return new DeliveryOptions().addHeader(HeaderNames.BUS_NODE, nodeToken(vertx));
  }

  /**
   * {@link #requestOptions} with a JSON-object body through this codec: not copied locally (the body must
   * not change once sent, nor be changed by the consumer), and in the binary wire form between nodes.
   */
  public static DeliveryOptions sharedRequestOptions(Vertx vertx) {
    return requestOptions(vertx).setCodecName(NAME);
  }

  /**
   * The shared codec for a reply to a usergate verticle (its request carries {@link HeaderNames#BUS_NODE}), in this
   * Vert.x (no copy) or on another node (the binary wire form; every usergate verticle registers the codec),
   * the default JSON codec for anyone else.
   */
  public static DeliveryOptions replyOptions(Vertx vertx, Message<?> request) {
    return request.headers().contains(HeaderNames.BUS_NODE) ? new DeliveryOptions(SHARED) : new DeliveryOptions();
  }

  @Override
  public void encodeToWire(Buffer buffer, JsonObject json) {
    if (binaryEncodable(json.getMap())) {
      buffer.appendByte(BINARY);
      writeObject(buffer, json.getMap());
    } else {
      // A value JSON text writes in a form of its own (an Instant, bytes, a big number): the text, as before.
      Buffer encoded = json.toBuffer();
      buffer.appendInt(encoded.length());
      buffer.appendBuffer(encoded);
    }
  }

  @Override
  public JsonObject decodeFromWire(int pos, Buffer buffer) {
    if (buffer.getByte(pos) == BINARY) {
      int[] at = {pos + 1};
      return readObject(buffer, at);
    }
    int length = buffer.getInt(pos);
    return new JsonObject(buffer.slice(pos + 4, pos + 4 + length));
  }

  // The binary wire form: a first byte no JSON-text body starts with (the text's length prefix starts with
  // a byte of 0..0x7F), then the object as typed values, so that a node reads no text and runs no JSON
  // parser. Text is still read, and written for bodies holding values of other types.
  static final byte BINARY = (byte) 0xB1;
  private static final byte NULL = 0;
  private static final byte TRUE = 1;
  private static final byte FALSE = 2;
  private static final byte INT = 3;
  private static final byte LONG = 4;
  private static final byte DOUBLE = 5;
  private static final byte STRING = 6;
  private static final byte OBJECT = 7;
  private static final byte ARRAY = 8;

  private static boolean binaryEncodable(Object value) {
    if (value == null || value instanceof Boolean || value instanceof Integer || value instanceof Long
      || value instanceof Double || value instanceof String || value instanceof Short || value instanceof Byte
      || value instanceof Float) {
      return true;
    }
    if (value instanceof JsonObject object) {
      return binaryEncodable(object.getMap());
    }
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (!(entry.getKey() instanceof String) || !binaryEncodable(entry.getValue())) {
          return false;
        }
      }
      return true;
    }
    if (value instanceof JsonArray array) {
      return binaryEncodable(array.getList());
    }
    if (value instanceof List<?> list) {
      for (Object item : list) {
        if (!binaryEncodable(item)) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  private static void writeObject(Buffer buffer, Map<?, ?> map) {
    buffer.appendInt(map.size());
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      writeString(buffer, (String) entry.getKey());
      writeValue(buffer, entry.getValue());
    }
  }

  private static void writeValue(Buffer buffer, Object value) {
    if (value == null) {
      buffer.appendByte(NULL);
    } else if (value instanceof String string) {
      buffer.appendByte(STRING);
      writeString(buffer, string);
    } else if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      buffer.appendByte(INT).appendInt(((Number) value).intValue());
    } else if (value instanceof Long number) {
      buffer.appendByte(LONG).appendLong(number);
    } else if (value instanceof Double || value instanceof Float) {
      buffer.appendByte(DOUBLE).appendDouble(((Number) value).doubleValue());
    } else if (value instanceof Boolean bool) {
      buffer.appendByte(bool ? TRUE : FALSE);
    } else if (value instanceof JsonObject object) {
      buffer.appendByte(OBJECT);
      writeObject(buffer, object.getMap());
    } else if (value instanceof Map<?, ?> map) {
      buffer.appendByte(OBJECT);
      writeObject(buffer, map);
    } else {
      List<?> list = value instanceof JsonArray array ? array.getList() : (List<?>) value;
      buffer.appendByte(ARRAY).appendInt(list.size());
      for (Object item : list) {
        writeValue(buffer, item);
      }
    }
  }

  private static void writeString(Buffer buffer, String string) {
    byte[] bytes = string.getBytes(StandardCharsets.UTF_8);
    buffer.appendInt(bytes.length).appendBytes(bytes);
  }

  private static JsonObject readObject(Buffer buffer, int[] at) {
    int size = buffer.getInt(at[0]);
    at[0] += 4;
    Map<String, Object> map = new LinkedHashMap<>(Math.max(4, (int) (size / 0.75f) + 1));
    for (int i = 0; i < size; i++) {
      String key = readString(buffer, at);
      map.put(key, readValue(buffer, at));
    }
    return new JsonObject(map);
  }

  private static Object readValue(Buffer buffer, int[] at) {
    byte type = buffer.getByte(at[0]++);
    Object value;
    switch (type) {
      case NULL -> value = null;
      case TRUE -> value = Boolean.TRUE;
      case FALSE -> value = Boolean.FALSE;
      case INT -> {
        value = buffer.getInt(at[0]);
        at[0] += 4;
      }
      case LONG -> {
        value = buffer.getLong(at[0]);
        at[0] += 8;
      }
      case DOUBLE -> {
        value = buffer.getDouble(at[0]);
        at[0] += 8;
      }
      case STRING -> value = readString(buffer, at);
      case OBJECT -> value = readObject(buffer, at);
      case ARRAY -> {
        int size = buffer.getInt(at[0]);
        at[0] += 4;
        List<Object> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
          list.add(readValue(buffer, at));
        }
        value = new JsonArray(list);
      }
      default -> throw new IllegalStateException("unknown value type " + type + " in a " + NAME + " body");
    }
    return value;
  }

  private static String readString(Buffer buffer, int[] at) {
    int length = buffer.getInt(at[0]);
    String string = buffer.getString(at[0] + 4, at[0] + 4 + length);
    at[0] += 4 + length;
    return string;
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
