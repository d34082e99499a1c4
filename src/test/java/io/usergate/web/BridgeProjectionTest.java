package io.usergate.web;

import io.usergate.auth.Caller;
import io.usergate.auth.Scope;
import io.usergate.config.Pointers;
import io.usergate.error.ErrorCode;
import io.usergate.fetch.FetchAddresses;
import io.usergate.store.StoreAddresses;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.junit5.VertxExtension;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A caller with fields over a bridge: its answers and events projected, one socket's state bounded and released. */
@ExtendWith(VertxExtension.class)
class BridgeProjectionTest {

  private static final Caller NARROW = new Caller("narrow", Set.of(Scope.USERS_READ, Scope.MIRROR_READ),
    Pointers.list("/id,/name"), 1, 0, 0);

  private Vertx vertx;
  private Context context;

  @BeforeEach
  void context(Vertx vertx) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
  }

  private static JsonObject leanne(String id) {
    return new JsonObject().put("id", id).put("name", "Leanne Graham").put("email", "Sincere@april.biz")
      .put("address", new JsonObject().put("city", "Gwenborough"));
  }

  private static JsonObject narrowed(String id) {
    return new JsonObject().put("id", id).put("name", "Leanne Graham");
  }

  /** A socket's frames as written, and the close hook the projection set on it. */
  private static final class Socket {
    final List<JsonObject> frames = new CopyOnWriteArrayList<>();
    final List<Runnable> onClose = new CopyOnWriteArrayList<>();
    final BridgeWire wire;

    Socket(boolean tcp) {
      // The TCP bridge's 4-byte length is its socket's (BridgeWire.tcp): CallersTest reads it.
      wire = new BridgeWire(this, tcp, encoded -> frames.add(new JsonObject(encoded)), onClose::add);
    }

    JsonObject await(int count) {
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> frames.size() >= count);
      return frames.get(count - 1);
    }
  }

  /** Runs {@code action} on the projection's event loop, as the bridges do. */
  private <T> T on(Supplier<T> action) throws Exception {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> done.complete(action.get()));
    return done.future().await(5, TimeUnit.SECONDS);
  }

  private static JsonObject send(String address, JsonObject body, String replyAddress) {
    return new JsonObject().put("type", "send").put("address", address).put("body", body).put("replyAddress", replyAddress);
  }

  private void replies(String address, JsonObject answer) {
    vertx.eventBus().consumer(address, message -> message.reply(answer,
      new DeliveryOptions().addHeader("usergate-source", "test")));
  }

  @Test
  @DisplayName("fetch.one, fetch.many, store.get, store.list and changes.read reach a caller with fields projected, on "
    + "their reply addresses with their headers; nothing stays held once all are answered")
  void answersProjected() throws Exception {
    JsonObject change = new JsonObject().put("seq", 3).put("id", "1").put("kind", "updated")
      .put("fields", new JsonArray().add("email").add("name"));
    replies(FetchAddresses.ONE, leanne("1"));
    replies(FetchAddresses.MANY, new JsonObject().put("users", new JsonArray().add(leanne("1")).add(leanne("2"))));
    replies(StoreAddresses.GET, leanne("3"));
    replies(StoreAddresses.LIST, new JsonObject().put("users", new JsonArray().add(leanne("4"))).put("next", "4"));
    replies(StoreAddresses.CHANGES_READ, new JsonObject().put("changes", new JsonArray().add(change)).put("next", 3));
    BridgeProjection projection = new BridgeProjection(vertx, 10);
    Socket socket = new Socket(false);
    Map<String, String> replyAddresses = Map.of(FetchAddresses.ONE, "a1", FetchAddresses.MANY, "a2",
      StoreAddresses.GET, "a3", StoreAddresses.LIST, "a4", StoreAddresses.CHANGES_READ, "a5");
    for (Map.Entry<String, String> each : replyAddresses.entrySet()) {
      assertEquals(Bridges.Verdict.HANDLED, on(() -> projection.carry(BridgeEventType.SEND, socket.wire,
        send(each.getKey(), new JsonObject(), each.getValue()), NARROW)));
    }
    socket.await(5);
    Map<String, JsonObject> byAddress = new HashMap<>();
    socket.frames.forEach(frame -> byAddress.put(frame.getString("address"), frame));
    byAddress.values().forEach(frame -> {
      assertEquals("rec", frame.getString("type"), frame.encode());
      assertEquals("test", frame.getJsonObject("headers").getString("usergate-source"), frame.encode());
      assertFalse(frame.encode().contains("@") || frame.encode().contains("Gwenborough"), frame.encode());
    });
    assertEquals(narrowed("1"), byAddress.get("a1").getJsonObject("body"));
    assertEquals(new JsonArray().add(narrowed("1")).add(narrowed("2")), byAddress.get("a2").getJsonObject("body").getJsonArray("users"));
    assertEquals(narrowed("3"), byAddress.get("a3").getJsonObject("body"));
    assertEquals(new JsonObject().put("users", new JsonArray().add(narrowed("4"))).put("next", "4"),
      byAddress.get("a4").getJsonObject("body"));
    assertEquals(new JsonArray().add("name"),
      byAddress.get("a5").getJsonObject("body").getJsonArray("changes").getJsonObject(0).getJsonArray("fields"));
    assertEquals(0, (int) on(projection::sockets));
  }

  @Test
  @DisplayName("on the TCP bridge an answer is a message frame, with send true")
  void tcpFrames() throws Exception {
    replies(FetchAddresses.ONE, leanne("1"));
    BridgeProjection projection = new BridgeProjection(vertx, 10);
    Socket socket = new Socket(true);
    on(() -> projection.carry(BridgeEventType.SEND, socket.wire, send(FetchAddresses.ONE, new JsonObject(), "t1"), NARROW));
    JsonObject frame = socket.await(1);
    assertEquals("message", frame.getString("type"));
    assertEquals("t1", frame.getString("address"));
    assertTrue(frame.getBoolean("send"));
    assertEquals(narrowed("1"), frame.getJsonObject("body"));
  }

  @Test
  @DisplayName("an answer that is not a JSON object is a 500 on the reply address, nothing of it shown; a failure "
    + "arrives as the bus failure it was")
  void unprojectableAndFailures() throws Exception {
    vertx.eventBus().consumer(FetchAddresses.ONE, message -> message.reply("Leanne Graham, Sincere@april.biz"));
    vertx.eventBus().consumer(StoreAddresses.GET, message -> ErrorCode.NOT_FOUND.error("no user 9", "9").replyTo(message));
    BridgeProjection projection = new BridgeProjection(vertx, 10);
    Socket socket = new Socket(false);
    on(() -> projection.carry(BridgeEventType.SEND, socket.wire, send(FetchAddresses.ONE, new JsonObject(), "u1"), NARROW));
    JsonObject unprojectable = socket.await(1);
    assertEquals("err", unprojectable.getString("type"));
    assertEquals("u1", unprojectable.getString("address"));
    assertEquals(500, unprojectable.getInteger("failureCode"));
    assertFalse(unprojectable.encode().contains("Leanne") || unprojectable.encode().contains("@"), unprojectable.encode());

    on(() -> projection.carry(BridgeEventType.SEND, socket.wire, send(StoreAddresses.GET, new JsonObject(), "u2"), NARROW));
    JsonObject missing = socket.await(2);
    assertEquals("u2", missing.getString("address"));
    assertEquals(404, missing.getInteger("failureCode"));
    assertEquals("RECIPIENT_FAILURE", missing.getString("failureType"));
    assertEquals("NOT_FOUND", new JsonObject(missing.getString("message")).getJsonObject("error").getString("code"));
  }

  @Test
  @DisplayName("a socket has at most maxInFlight requests waiting: the next is 503 OVERLOADED at once; once answered, "
    + "nothing is held for the socket")
  void boundedInFlight() throws Exception {
    List<Message<Object>> held = new ArrayList<>();
    vertx.eventBus().consumer(FetchAddresses.ONE, held::add);
    BridgeProjection projection = new BridgeProjection(vertx, 1);
    Socket socket = new Socket(false);
    on(() -> projection.carry(BridgeEventType.SEND, socket.wire, send(FetchAddresses.ONE, new JsonObject(), "b1"), NARROW));
    await().atMost(Duration.ofSeconds(5)).until(() -> on(held::size) == 1);
    assertEquals(Bridges.Verdict.HANDLED, on(() -> projection.carry(BridgeEventType.SEND, socket.wire,
      send(FetchAddresses.ONE, new JsonObject(), "b2"), NARROW)));
    JsonObject overloaded = socket.await(1);
    assertEquals("b2", overloaded.getString("address"));
    assertEquals(503, overloaded.getInteger("failureCode"));
    assertEquals(1, (int) on(projection::sockets));

    on(() -> {
      held.get(0).reply(leanne("1"));
      return null;
    });
    assertEquals(narrowed("1"), socket.await(2).getJsonObject("body"));
    assertEquals(0, (int) on(projection::sockets));
  }

  @Test
  @DisplayName("a registration for user.changed gets each change without the names the caller may not see; a second one "
    + "on the socket is refused; unregister ends it, and so does the socket's close")
  void events() throws Exception {
    BridgeProjection projection = new BridgeProjection(vertx, 10);
    Socket socket = new Socket(true);
    JsonObject register = new JsonObject().put("type", "register").put("address", StoreAddresses.USER_CHANGED);
    assertEquals(Bridges.Verdict.HANDLED, on(() -> projection.carry(BridgeEventType.REGISTER, socket.wire, register, NARROW)));
    assertEquals(Bridges.Verdict.REFUSE, on(() -> projection.carry(BridgeEventType.REGISTER, socket.wire, register, NARROW)));
    JsonObject change = new JsonObject().put("seq", 1).put("id", "1").put("kind", "updated")
      .put("fields", new JsonArray().add("email").add("name").add("address"));
    vertx.eventBus().publish(StoreAddresses.USER_CHANGED, change);
    JsonObject event = socket.await(1);
    assertEquals("message", event.getString("type"));
    assertEquals(StoreAddresses.USER_CHANGED, event.getString("address"));
    assertFalse(event.getBoolean("send"));
    assertEquals(change.copy().put("fields", new JsonArray().add("name")), event.getJsonObject("body"));

    assertEquals(Bridges.Verdict.HANDLED, on(() -> projection.unregister(socket.wire, StoreAddresses.USER_CHANGED)));
    assertEquals(Bridges.Verdict.DELIVER, on(() -> projection.unregister(socket.wire, StoreAddresses.USER_CHANGED)));
    assertEquals(0, (int) on(projection::sockets));

    // Registered again, then the socket closes: the registration goes with it.
    Socket other = new Socket(true);
    on(() -> projection.carry(BridgeEventType.REGISTER, socket.wire, register, NARROW));
    assertEquals(1, (int) on(projection::sockets));
    on(() -> {
      socket.onClose.forEach(Runnable::run);
      return projection.carry(BridgeEventType.REGISTER, other.wire, register, NARROW);
    });
    assertEquals(1, (int) on(projection::sockets));
    vertx.eventBus().publish(StoreAddresses.USER_CHANGED, change.copy().put("seq", 2));
    vertx.eventBus().publish(StoreAddresses.USER_CHANGED, change.copy().put("seq", 3));
    assertEquals(3, other.await(2).getJsonObject("body").getInteger("seq"));
    // Both were delivered to the socket still registered, in order; the closed one got nothing more.
    assertEquals(1, socket.frames.size(), socket.frames.toString());
  }

  @Test
  @DisplayName("an address with users that has no projection is refused to a caller with fields: 403 on its reply address, "
    + "the bridge's refusal without one")
  void unknownAddressRefused() throws Exception {
    BridgeProjection projection = new BridgeProjection(vertx, 10);
    Socket socket = new Socket(false);
    assertEquals(Bridges.Verdict.HANDLED, on(() -> projection.carry(BridgeEventType.SEND, socket.wire,
      send("usergate.users.new", new JsonObject(), "n1"), NARROW)));
    assertEquals(403, socket.await(1).getInteger("failureCode"));
    assertEquals(Bridges.Verdict.REFUSE, on(() -> projection.carry(BridgeEventType.REGISTER, socket.wire,
      new JsonObject().put("type", "register").put("address", "usergate.users.new"), NARROW)));
  }

  @Test
  @DisplayName("every bridged address that needs users:read or mirror:read has its projection: none crosses unprojected")
  void everyUserAddressProjected() {
    List<Map.Entry<String, Scope>> bridged = new ArrayList<>(Bridges.INBOUND_SCOPES.entrySet());
    bridged.addAll(Bridges.OUTBOUND_SCOPES.entrySet());
    bridged.stream().filter(entry -> entry.getValue() == Scope.USERS_READ || entry.getValue() == Scope.MIRROR_READ)
      .forEach(entry -> assertTrue(BridgeProjection.SHOWN.containsKey(entry.getKey()), entry.getKey()));
  }
}
