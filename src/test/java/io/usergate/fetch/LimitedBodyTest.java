package io.usergate.fetch;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * {@link LimitedBody} against a real HTTP server whose paths say what to send: {@code /length/N} N bytes
 * with a Content-Length, {@code /chunked/N} N bytes chunked, {@code /endless-*} the same but never ending.
 */
@ExtendWith(VertxExtension.class)
class LimitedBodyTest {

  private static final int LIMIT = 100_000;

  private HttpClient client;
  private Context context;
  private int port;

  @BeforeEach
  void startServer(Vertx vertx) throws Exception {
    HttpServer server = vertx.createHttpServer().requestHandler(request -> {
      String[] parts = request.path().split("/");
      int bytes = Integer.parseInt(parts[2]);
      HttpServerResponse response = request.response();
      boolean endless = parts[1].startsWith("endless");
      if (parts[1].endsWith("length")) {
        // An endless answer announces more than it sends: the length alone must be enough to refuse it.
        response.putHeader("content-length", Integer.toString(endless ? bytes * 10 : bytes));
      } else {
        response.setChunked(true);
      }
      for (int sent = 0; sent < bytes; sent += 10_000) {
        response.write(Buffer.buffer("x".repeat(Math.min(10_000, bytes - sent))));
      }
      if (!endless) {
        response.end();
      }
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    port = server.actualPort();
    client = vertx.createHttpClient();
    context = vertx.getOrCreateContext();
  }

  private Future<Buffer> read(String path) {
    // Read on the event loop in the callback that hands over the response, as Upstream does: chained
    // from a test thread, that callback can run after the response has ended.
    Promise<Buffer> body = Promise.promise();
    context.runOnContext(v -> client.request(HttpMethod.GET, port, "127.0.0.1", path)
      .compose(request -> request.send().compose(response -> LimitedBody.read(response, LIMIT)))
      .onComplete(body));
    return body.future();
  }

  private static LimitedBody.TooLarge refusal(Future<Buffer> body) throws Exception {
    Throwable failure = body.transform(done -> Future.succeededFuture(done.cause())).await(5, TimeUnit.SECONDS);
    return assertInstanceOf(LimitedBody.TooLarge.class, failure);
  }

  @Test
  @DisplayName("a body up to the limit, with a Content-Length or chunked, is read whole")
  void upToTheLimit() throws Exception {
    assertEquals(LIMIT, read("/length/" + LIMIT).await(5, TimeUnit.SECONDS).length());
    assertEquals(LIMIT, read("/chunked/" + LIMIT).await(5, TimeUnit.SECONDS).length());
    assertEquals(0, read("/length/0").await(5, TimeUnit.SECONDS).length());
  }

  @Test
  @DisplayName("a Content-Length over the limit is refused at the headers, without waiting for a body that never ends")
  void contentLengthOverTheLimit() throws Exception {
    LimitedBody.TooLarge tooLarge = refusal(read("/endless-length/" + (LIMIT + 1)));
    assertEquals(LIMIT, tooLarge.limit);
    assertEquals((LIMIT + 1) * 10L, tooLarge.declared);
    assertEquals(LIMIT + 1L, refusal(read("/length/" + (LIMIT + 1))).declared);
  }

  @Test
  @DisplayName("a chunked body is refused on the chunk that crosses the limit, without waiting for its end")
  void chunkedOverTheLimit() throws Exception {
    LimitedBody.TooLarge tooLarge = refusal(read("/endless-chunked/" + (LIMIT + 1)));
    assertEquals(LIMIT, tooLarge.limit);
    assertEquals(-1L, tooLarge.declared);
  }
}
