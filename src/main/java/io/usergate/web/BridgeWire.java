package io.usergate.web;

import io.usergate.error.UsergateException;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

import java.util.function.Consumer;

/**
 * One socket of a bridge, as usergate writes to it in the bridge's own frames: SockJS's {@code rec} frames as
 * they are, the TCP bridge's {@code message} frames behind a 4-byte length.
 */
final class BridgeWire {

  private final Object socket;
  private final boolean tcp;
  private final Consumer<Buffer> out;
  private final Consumer<Runnable> onClose;

  /**
   * @param socket  the bridge's socket, which names the wire
   * @param tcp     whether frames are the TCP bridge's ({@code message}, {@code send}) or SockJS's ({@code rec})
   * @param out     writes one encoded frame, length prefix included where the bridge has one
   * @param onClose runs its argument once the socket is closed, where the bridge gives no event for that
   */
  BridgeWire(Object socket, boolean tcp, Consumer<Buffer> out, Consumer<Runnable> onClose) {
    this.socket = socket;
    this.tcp = tcp;
    this.out = out;
    this.onClose = onClose;
  }

  /** A SockJS socket: the bridge's {@code SOCKET_CLOSED} event says when it closes (it holds its close handler). */
  static BridgeWire sockJs(SockJSSocket socket) {
    return new BridgeWire(socket, false, socket::write, whenClosed -> { });
  }

  /** A TCP bridge socket: that bridge has no close event, and sets no close handler of its own. */
  static BridgeWire tcp(NetSocket socket) {
    return new BridgeWire(socket, true,
      frame -> socket.write(Buffer.buffer(4 + frame.length()).appendInt(frame.length()).appendBuffer(frame)),
      whenClosed -> socket.closeHandler(closed -> whenClosed.run()));
  }

  /** A message to {@code address} (a reply address, or a registered one), as the bridge itself writes it. */
  void message(String address, JsonObject body, MultiMap headers, boolean send) {
    JsonObject frame = new JsonObject().put("type", tcp ? "message" : "rec").put("address", address);
    if (!headers.isEmpty()) {
      JsonObject copied = new JsonObject();
      headers.names().forEach(name -> copied.put(name, headers.get(name)));
      frame.put("headers", copied);
    }
    frame.put("body", body);
    if (tcp) {
      frame.put("send", send);
    }
    write(frame);
  }

  /** A bus failure on a reply address: its code, its type, and its message (usergate's error JSON). */
  void failure(String replyAddress, int code, ReplyFailure type, String message) {
    write(new JsonObject().put("type", "err").put("address", replyAddress).put("failureCode", code)
      .put("failureType", type.name()).put("message", message));
  }

  /** usergate's error on a reply address, as a verticle's failure arrives there. */
  void failure(String replyAddress, UsergateException error) {
    failure(replyAddress, error.code().status(), ReplyFailure.RECIPIENT_FAILURE, error.toJson().encode());
  }

  void write(JsonObject frame) {
    out.accept(frame.toBuffer());
  }

  /** Runs {@code closed} once the socket closes, where the bridge gives no event for it. */
  void onClose(Runnable closed) {
    onClose.accept(closed);
  }

  Object socket() {
    return socket;
  }
}
