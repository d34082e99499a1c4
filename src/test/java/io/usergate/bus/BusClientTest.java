package io.usergate.bus;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** scripts/bus' client against a loopback server that answers like the SockJS bridge's raw WebSocket. */
@ExtendWith(VertxExtension.class)
class BusClientTest {

  @Test
  @DisplayName("a garbage collection while the WebSocket handshake is under way does not close the client: "
    + "the reply is printed and the exit code is 0, five times out of five")
  void handshakeSurvivesAGarbageCollection(Vertx vertx) throws Exception {
    HttpServer server = vertx.createHttpServer().requestHandler(request -> {
      // The handshake waits for a full GC (on a worker): a client nothing references any more is found then,
      // and Vert.x's Cleaner closes it, evicting this connection. Paused: the upgrade is accepted later.
      request.pause();
      vertx.executeBlocking(() -> {
        System.gc();
        System.gc();
        return null;
      }).compose(gc -> vertx.timer(100, TimeUnit.MILLISECONDS)).compose(cleanerRan -> request.toWebSocket())
        .onSuccess(socket -> socket.textMessageHandler(text -> {
          JsonObject frame = new JsonObject(text);
          socket.writeBinaryMessage(new JsonObject().put("type", "rec").put("address", frame.getString("replyAddress"))
            .put("body", new JsonObject().put("echo", frame.getValue("body"))).toBuffer());
        }));
    })
      .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    for (int run = 1; run <= 5; run++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int exit = BusClient.run(new String[] {"usergate.fetch.one", "{\"id\":7}"},
        Map.of("USERGATE_URL", "http://127.0.0.1:" + server.actualPort()),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
      assertEquals(0, exit, "run " + run + ": " + err.toString(StandardCharsets.UTF_8));
      assertEquals("{\"echo\":{\"id\":7}}", out.toString(StandardCharsets.UTF_8).trim(), "run " + run);
    }
  }
}
