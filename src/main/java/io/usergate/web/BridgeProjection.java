package io.usergate.web;

import io.usergate.auth.Caller;
import io.usergate.auth.Projection;
import io.usergate.error.ErrorCode;
import io.usergate.fetch.FetchAddresses;
import io.usergate.store.StoreAddresses;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * What a caller with {@code fields} receives over a bridge. The bridges pass replies and events on as they come
 * (the TCP bridge has no event at all for a frame going out to a client), so usergate carries that caller's
 * traffic itself: its request is sent from here and the reply projected before it is written to the socket;
 * its registration is a consumer of its own whose events are projected the same way. The bridge does nothing
 * more with those frames. Per socket it keeps the registrations and a count of requests in flight (at most
 * {@code maxInFlight}, as SockJS's {@code maxHandlersPerSocket}; each ends with its answer or the bus's send
 * timeout); a socket's entry goes when the socket closes, and as soon as it holds nothing. One per bridge
 * instance, used on its event loop only.
 */
final class BridgeProjection {

  /** As the SockJS bridge's default {@code maxHandlersPerSocket}; the TCP bridge has no limit of its own. */
  static final int MAX_IN_FLIGHT = 1000;

  /**
   * The caller's part of each bridged answer or event that carries users. An address that needs
   * {@code users:read} or {@code mirror:read} and has no entry here is refused to a caller with fields.
   */
  static final Map<String, BiFunction<Projection, JsonObject, JsonObject>> SHOWN = Map.of(
    FetchAddresses.ONE, Projection::user, StoreAddresses.GET, Projection::user,
    FetchAddresses.MANY, Projection::answer, StoreAddresses.LIST, Projection::answer,
    StoreAddresses.CHANGES_READ, Projection::changes, StoreAddresses.USER_CHANGED, Projection::change);

  private final Vertx vertx;
  private final int maxInFlight;
  private final Map<Object, Held> sockets = new HashMap<>();

  BridgeProjection(Vertx vertx, int maxInFlight) {
    this.vertx = vertx;
    this.maxInFlight = maxInFlight;
  }

  /**
   * Carries a projecting caller's frame, already let through (its scope checked, its credential removed): a
   * request with a reply address, or a registration. A publish, or a send without a reply address, goes on
   * through the bridge: nothing comes back of it.
   */
  Bridges.Verdict carry(BridgeEventType type, BridgeWire wire, JsonObject frame, Caller caller) {
    String address = frame.getString("address");
    BiFunction<Projection, JsonObject, JsonObject> part = SHOWN.get(address);
    Object replyAddress = frame.getValue("replyAddress");
    if (part == null) {
      // A new address with users on it, not yet taught here: closed until it is.
      if (replyAddress instanceof String reply) {
        wire.failure(reply, ErrorCode.FORBIDDEN.error("the caller " + caller.name() + " sees some fields of a user only "
          + "(auth.callers fields), and " + address + " has no projection on the bridges"));
        return Bridges.Verdict.HANDLED;
      }
      return Bridges.Verdict.REFUSE;
    }
    Projection projection = new Projection(caller.fields());
    if (type == BridgeEventType.REGISTER) {
      return register(wire, address, part, projection);
    }
    if (type != BridgeEventType.SEND || replyAddress == null) {
      return Bridges.Verdict.DELIVER;
    }
    if (!(replyAddress instanceof String reply)) {
      return Bridges.Verdict.REFUSE;
    }
    return request(wire, address, frame, reply, part, projection);
  }

  private Bridges.Verdict request(BridgeWire wire, String address, JsonObject frame, String reply,
                                  BiFunction<Projection, JsonObject, JsonObject> part, Projection projection) {
    Held held = held(wire);
    if (held.inFlight >= maxInFlight) {
      wire.failure(reply, ErrorCode.OVERLOADED.error("this connection has " + maxInFlight
        + " requests waiting for their answers already"));
      forgetIfIdle(wire.socket(), held);
      return Bridges.Verdict.HANDLED;
    }
    held.inFlight++;
    DeliveryOptions options = new DeliveryOptions();
    if (frame.getValue("headers") instanceof JsonObject headers) {
      // As the bridges pass a frame's headers on (the credential is gone by now).
      headers.forEach(header -> options.addHeader(header.getKey(), String.valueOf(header.getValue())));
    }
    vertx.eventBus().request(address, frame.getValue("body"), options).onComplete(answer -> {
      held.inFlight--;
      forgetIfIdle(wire.socket(), held);
      if (answer.failed()) {
        if (answer.cause() instanceof ReplyException failure) {
          wire.failure(reply, failure.failureCode(), failure.failureType(), failure.getMessage());
        } else {
          wire.failure(reply, ErrorCode.INTERNAL.error("the request to " + address + " failed"));
        }
      } else if (answer.result().body() instanceof JsonObject body) {
        wire.message(reply, part.apply(projection, body), answer.result().headers(), true);
      } else {
        // What cannot be projected is not shown.
        wire.failure(reply, ErrorCode.INTERNAL.error(address + " answered something other than a JSON object"));
      }
    });
    return Bridges.Verdict.HANDLED;
  }

  private Bridges.Verdict register(BridgeWire wire, String address, BiFunction<Projection, JsonObject, JsonObject> part,
                                   Projection projection) {
    Held held = held(wire);
    if (held.registrations.containsKey(address)) {
      // As the SockJS bridge refuses a second registration of one address on one socket.
      return Bridges.Verdict.REFUSE;
    }
    held.registrations.put(address, vertx.eventBus().consumer(address, message -> {
      if (message.body() instanceof JsonObject body) {
        wire.message(address, part.apply(projection, body), message.headers(), false);
      }
      // Anything else cannot be projected: it is not passed on.
    }));
    return Bridges.Verdict.HANDLED;
  }

  /** An {@code unregister} frame: one of the registrations made here ends here; any other is the bridge's. */
  Bridges.Verdict unregister(BridgeWire wire, String address) {
    Held held = sockets.get(wire.socket());
    MessageConsumer<?> consumer = held == null ? null : held.registrations.remove(address);
    if (consumer == null) {
      return Bridges.Verdict.DELIVER;
    }
    consumer.unregister();
    forgetIfIdle(wire.socket(), held);
    return Bridges.Verdict.HANDLED;
  }

  /** The socket closed: its registrations end; answers still on their way find nothing to count against. */
  void closed(Object socket) {
    Held held = sockets.remove(socket);
    if (held != null) {
      held.registrations.values().forEach(MessageConsumer::unregister);
    }
  }

  /** Sockets with something held for them: what the tests check does not leak. */
  int sockets() {
    return sockets.size();
  }

  private Held held(BridgeWire wire) {
    return sockets.computeIfAbsent(wire.socket(), socket -> {
      wire.onClose(() -> closed(socket));
      return new Held();
    });
  }

  private void forgetIfIdle(Object socket, Held held) {
    if (held.inFlight == 0 && held.registrations.isEmpty()) {
      sockets.remove(socket, held);
    }
  }

  /** What one socket holds. */
  private static final class Held {
    final Map<String, MessageConsumer<Object>> registrations = new HashMap<>();
    int inFlight;
  }
}
