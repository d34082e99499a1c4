package io.usergate.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A client of either bridge, the TCP one or SockJS's raw WebSocket: it writes frames and keeps every frame it
 * receives, in order, so that a test can ask the same of both.
 */
public record BridgeClient(Consumer<JsonObject> writer, List<JsonObject> received) {

  public static BridgeClient tcp(NetSocket socket) {
    BridgeFrames frames = new BridgeFrames(socket);
    return new BridgeClient(frames::write, frames.received());
  }

  /** A new connection to the TCP bridge on {@code port}. */
  public static BridgeClient tcp(Vertx vertx, int port) throws Exception {
    return tcp(vertx.createNetClient().connect(port, "127.0.0.1").await(10, TimeUnit.SECONDS));
  }

  /** The SockJS bridge's raw WebSocket: the bridge answers in binary frames, the handler reads every frame's data. */
  public static BridgeClient sockJs(WebSocket socket) {
    List<JsonObject> received = new CopyOnWriteArrayList<>();
    socket.handler(data -> received.add(data.toJsonObject()));
    return new BridgeClient(frame -> socket.writeTextMessage(frame.encode()), received);
  }

  /** A new connection to the SockJS bridge ({@code /eventbus/websocket}) of the web on {@code port}. */
  public static BridgeClient sockJs(WebSocketClient webSockets, int port) throws Exception {
    return sockJs(webSockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
      .setURI("/eventbus/websocket")).await(10, TimeUnit.SECONDS));
  }

  /** The first frame received for which {@code test} holds, waited for. */
  public JsonObject first(Predicate<JsonObject> test) {
    return Awaitility.await().atMost(Duration.ofSeconds(10))
      .until(() -> received.stream().filter(test).findFirst(), Optional::isPresent).orElseThrow();
  }

  /** Sends a request with {@code key} as its {@code X-API-Key} and returns what comes to its reply address. */
  public JsonObject request(String address, JsonObject body, String key, String replyAddress) {
    return request(address, body, new JsonObject().put("X-API-Key", key), replyAddress);
  }

  /** Sends a request with {@code headers} (its credential) and returns what comes to its reply address. */
  public JsonObject request(String address, JsonObject body, JsonObject headers, String replyAddress) {
    writer.accept(new JsonObject().put("type", "send").put("address", address).put("replyAddress", replyAddress)
      .put("headers", headers).put("body", body));
    return first(frame -> replyAddress.equals(frame.getString("address")));
  }

  /**
   * The frames received up to the bridge's {@code access_denied} of a frame to an address it does not permit,
   * written now: a bridge reads a socket's frames in order and refuses that one at once, so whatever any earlier
   * frame was answered with synchronously is in the list before it.
   */
  public List<JsonObject> untilDenied() {
    int from = received.size();
    writer.accept(new JsonObject().put("type", "send").put("address", "usergate.nowhere").put("body", new JsonObject()));
    Awaitility.await().atMost(Duration.ofSeconds(10))
      .until(() -> received.subList(from, received.size()).stream().anyMatch(BridgeClient::accessDenied));
    List<JsonObject> all = List.copyOf(received);
    for (int at = from; ; at++) {
      if (accessDenied(all.get(at))) {
        return all.subList(0, at);
      }
    }
  }

  public static boolean accessDenied(JsonObject frame) {
    return "err".equals(frame.getString("type"))
      && ("access_denied".equals(frame.getString("message")) || "access_denied".equals(frame.getString("body")));
  }
}
