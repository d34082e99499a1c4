package io.usergate.bus;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.io.PrintStream;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * {@code scripts/bus ADDRESS JSON}: sends one message over the SockJS bridge (its raw WebSocket
 * endpoint, {@code /eventbus/websocket}, always on) and prints the reply. The service is
 * {@code USERGATE_URL} (default http://127.0.0.1:8080); {@code USERGATE_AUTH_TOKEN}, when set, goes
 * along as the {@code Authorization} header that bridge writes need. Exit 0 with the reply on stdout,
 * or 1 with the error on stderr.
 */
public final class BusClient {

  private static final long TIMEOUT_SECONDS = 30;

  private BusClient() {
  }

  public static void main(String[] args) {
    // A command-line tool, not a verticle: its exit code is its answer.
    System.exit(run(args));
  }

  static int run(String[] args) {
    return run(args, System.getenv(), System.out, System.err);
  }

  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    if (args.length != 2) {
      err.println("usage: scripts/bus ADDRESS JSON   e.g. scripts/bus usergate.fetch.one '{\"id\":7}'");
      return 2;
    }
    Object body;
    try {
      body = Json.decodeValue(args[1]);
    } catch (DecodeException e) {
      err.println("bus: the message is not JSON: " + e.getMessage());
      return 2;
    }
    URI base = URI.create(env.getOrDefault("USERGATE_URL", "http://127.0.0.1:8080"));
    String token = env.get("USERGATE_AUTH_TOKEN");
    Vertx vertx = Vertx.vertx();
    // Held here until the answer is in: a WebSocketClient that nothing references any more is closed by Vert.x's
    // Cleaner at the next GC, which evicts its connection, mid-handshake if it comes then.
    WebSocketClient client = vertx.createWebSocketClient();
    try {
      JsonObject reply = send(client, base, args[0], body, token).await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if ("err".equals(reply.getString("type"))) {
        Object error = reply.containsKey("message") ? reply.getValue("message") : reply.getValue("body");
        err.println("bus: " + args[0] + " failed: " + error);
        return 1;
      }
      out.println(Json.encode(reply.getValue("body")));
      return 0;
    } catch (Exception e) {
      err.println("bus: no answer from " + base + " (" + e + ")");
      return 1;
    } finally {
      client.close();
      vertx.close();
    }
  }

  /** One bridge frame out, the first frame that answers it (its reply, or an error) back. */
  private static Future<JsonObject> send(WebSocketClient client, URI base, String address, Object body, String token) {
    int port = base.getPort() != -1 ? base.getPort() : "https".equals(base.getScheme()) ? 443 : 80;
    String replyAddress = UUID.randomUUID().toString();
    JsonObject frame = new JsonObject().put("type", "send").put("address", address).put("body", body)
      .put("replyAddress", replyAddress);
    if (token != null && !token.isBlank()) {
      frame.put("headers", new JsonObject().put("Authorization", "Bearer " + token));
    }
    return client.connect(port, base.getHost(), "/eventbus/websocket")
      .compose(socket -> {
        Promise<JsonObject> answer = Promise.promise();
        // The bridge answers in binary frames: read every frame's data.
        socket.handler(data -> {
          JsonObject received = new JsonObject(data);
          if (replyAddress.equals(received.getString("address")) || "err".equals(received.getString("type"))) {
            answer.tryComplete(received);
          }
        });
        socket.closeHandler(v -> answer.tryFail("the bridge closed the connection"));
        return socket.writeTextMessage(frame.encode()).compose(sent -> answer.future())
          .andThen(done -> closeQuietly(socket));
      });
  }

  private static void closeQuietly(WebSocket socket) {
    socket.close();
  }
}
