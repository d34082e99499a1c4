package io.usergate.support;

import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;

/** A client of the TCP event-bus bridge: each frame is a 4-byte length, then the JSON. */
public final class BridgeFrames {
  private final NetSocket socket;
  private final BiPredicate<JsonObject, JsonObject> answers;
  private final List<JsonObject> received = new CopyOnWriteArrayList<>();
  private volatile Promise<JsonObject> next;
  private volatile JsonObject sent;

  /** Takes the first frame that comes back after each one sent as its answer. */
  public BridgeFrames(NetSocket socket) {
    this(socket, (sent, received) -> true);
  }

  /** Takes as the answer to a frame the first one back for which {@code answers(sent, received)} holds. */
  public BridgeFrames(NetSocket socket, BiPredicate<JsonObject, JsonObject> answers) {
    this.socket = socket;
    this.answers = answers;
    RecordParser parser = RecordParser.newFixed(4);
    parser.handler(new Handler<>() {
      int length = -1;

      @Override
      public void handle(Buffer chunk) {
        if (length == -1) {
          length = chunk.getInt(0);
          parser.fixedSizeMode(length);
        } else {
          received(new JsonObject(chunk));
          length = -1;
          parser.fixedSizeMode(4);
        }
      }
    });
    socket.handler(parser);
  }

  private void received(JsonObject frame) {
    received.add(frame);
    Promise<JsonObject> waiting = next;
    if (waiting != null && answers.test(sent, frame)) {
      waiting.tryComplete(frame);
    }
  }

  /** Writes a frame and returns its answer. */
  public JsonObject exchange(JsonObject frame) throws Exception {
    Promise<JsonObject> answer = Promise.promise();
    sent = frame;
    next = answer;
    write(frame);
    return answer.future().await(10, TimeUnit.SECONDS);
  }

  /** Writes a frame, waiting for nothing. */
  public void write(JsonObject frame) {
    Buffer encoded = frame.toBuffer();
    socket.write(Buffer.buffer().appendInt(encoded.length()).appendBuffer(encoded));
  }

  /** Every frame received so far, answers or not, in the order they came. */
  public List<JsonObject> received() {
    return received;
  }
}
