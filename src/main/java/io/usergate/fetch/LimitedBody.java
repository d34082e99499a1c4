package io.usergate.fetch;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;

/**
 * Reads an upstream response's body, but never more than a limit: a {@code Content-Length} above it
 * fails before a byte of the body is read, and a body without one (chunked) fails on the chunk that
 * crosses the limit, so at most the limit is ever held. The caller resets the request on
 * {@link TooLarge}: that stops the transfer, which otherwise goes on (unread) until its end.
 */
final class LimitedBody {

  /** The body is larger than the limit; {@link #declared} is its {@code Content-Length}, or -1 when it had none. */
  static final class TooLarge extends RuntimeException {
    final long limit;
    final long declared;

    TooLarge(long limit, long declared) {
      super("body larger than " + limit + " bytes", null, false, false);
      this.limit = limit;
      this.declared = declared;
    }
  }

  private LimitedBody() {
  }

  /** Must be called as soon as the response arrives (before its first chunk), as {@code body()} must. */
  static Future<Buffer> read(HttpClientResponse response, long maxBytes) {
    long declared = declaredLength(response);
    Promise<Buffer> body = Promise.promise();
    // Handlers on every path, the refused one too: the reset that follows a refusal ends the response with
    // an exception, which would otherwise be logged as unhandled.
    response.exceptionHandler(body::tryFail);
    if (declared > maxBytes) {
      body.fail(new TooLarge(maxBytes, declared));
      response.handler(chunk -> { });
      return body.future();
    }
    Buffer received = Buffer.buffer(declared >= 0 ? (int) declared : 1024);
    response.handler(chunk -> {
      if (body.future().isComplete()) {
        return;
      }
      if (received.length() + (long) chunk.length() > maxBytes) {
        body.tryFail(new TooLarge(maxBytes, declared));
        return;
      }
      received.appendBuffer(chunk);
    });
    response.endHandler(v -> body.tryComplete(received));
    return body.future();
  }

  private static long declaredLength(HttpClientResponse response) {
    String header = response.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (header == null) {
      return -1;
    }
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      // Netty's decoder refuses a malformed length before we see it; if one got here, count instead.
      return -1;
    }
  }
}
