package io.usergate.web;

import io.usergate.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.usergate.support.ErrorJson.assertError;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** {@link Answers} on a real server: every path ends the request, with {@link WebErrors} for all but the answer. */
@ExtendWith(VertxExtension.class)
class AnswersTest {

  private final AtomicReference<Throwable> unhandled = new AtomicReference<>();
  private WebClient client;
  private int port;

  @BeforeEach
  void serve(Vertx vertx) throws Exception {
    vertx.exceptionHandler(unhandled::set);
    Router router = Router.router(vertx);
    // Each result arrives later, on a timer, as a bus reply would.
    router.get("/answer").handler(ctx -> Answers.answer(ctx, later(vertx, "the answer"), text -> ctx.end(text)));
    router.get("/failed").handler(ctx -> Answers.answer(ctx,
      later(vertx, null).compose(nothing -> Future.failedFuture(ErrorCode.NOT_FOUND.error("no such thing"))),
      text -> ctx.end("unreachable")));
    router.get("/throws").handler(ctx -> Answers.answer(ctx, later(vertx, "unusable"), text -> {
      throw new IllegalStateException("the answer cannot be made of " + text);
    }));
    // What Answers replaces: the answer written in an onSuccess listener.
    router.get("/listener").handler(ctx -> later(vertx, "unusable").onSuccess(text -> {
      throw new IllegalStateException("the answer cannot be made of " + text);
    }).onFailure(ctx::fail));
    router.route().failureHandler(WebErrors::handle);
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    port = server.actualPort();
    client = WebClient.create(vertx);
  }

  private static Future<String> later(Vertx vertx, String value) {
    return vertx.timer(1, TimeUnit.MILLISECONDS).map(fired -> value);
  }

  private Future<HttpResponse<Buffer>> get(String path) {
    return client.get(port, "127.0.0.1", path).send().timeout(5, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("the answer of a result is what respond writes")
  void answers() throws Exception {
    HttpResponse<Buffer> answer = get("/answer").await(10, TimeUnit.SECONDS);
    assertEquals(200, answer.statusCode());
    assertEquals("the answer", answer.bodyAsString());
  }

  @Test
  @DisplayName("a failed result is its error JSON, from WebErrors")
  void failedResult() throws Exception {
    HttpResponse<Buffer> answer = get("/failed").await(10, TimeUnit.SECONDS);
    assertError(answer, 404, "NOT_FOUND");
  }

  @Test
  @DisplayName("an exception of respond is 500 INTERNAL, without its text; nothing reaches the context's exception handler")
  void throwingRespond() throws Exception {
    HttpResponse<Buffer> answer = get("/throws").await(10, TimeUnit.SECONDS);
    assertEquals("internal error", assertError(answer, 500, "INTERNAL").getString("message"));
    assertEquals(null, unhandled.get());
  }

  @Test
  @DisplayName("by contrast, an exception of an onSuccess listener goes to the context's exception handler and the request stays open")
  void throwingListener() {
    Future<HttpResponse<Buffer>> answer = get("/listener");
    await().atMost(Duration.ofSeconds(5)).until(() -> unhandled.get() != null);
    assertEquals("the answer cannot be made of unusable", unhandled.get().getMessage());
    // The listener's exception was all there was to happen: the request, as it is now, has no answer.
    assertFalse(answer.isComplete(), "no answer");
  }
}
