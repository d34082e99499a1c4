package io.usergate.web;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.usergate.HeaderNames;
import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.usergate.log.RequestIds;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where a failure becomes an HTTP answer: the error JSON, its status, a few headers. */
final class WebErrors {

  private static final Logger LOG = LoggerFactory.getLogger(WebErrors.class);

  private WebErrors() {
  }

  /** Failure handler of every route, and error handler of the router (no route, wrong method). */
  static void handle(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    if (response.closed()) {
      // The client went away (and its work was cancelled): nobody to answer, nothing to log.
      return;
    }
    UsergateException error = classify(ctx);
    if (response.headWritten()) {
      response.reset();
      return;
    }
    send(response, error);
  }

  /**
   * The server's handler of requests its HTTP decoder refused (a request line or headers over the
   * limits, a garbage request line): the error JSON instead of Vert.x's empty answer, then the
   * connection closes, since what follows on it cannot be trusted to be a request.
   */
  static void invalidRequest(HttpServerRequest request) {
    DecoderResult result = request.decoderResult();
    Throwable cause = result == null ? null : result.cause();
    UsergateException error;
    if (cause instanceof TooLongHttpLineException) {
      error = ErrorCode.URI_TOO_LONG.error("the request line is longer than the server accepts; "
        + "send String id lists as POST /users/batch {\"ids\": [...]}");
    } else if (cause instanceof TooLongHttpHeaderException) {
      error = ErrorCode.HEADERS_TOO_LARGE.error("the request headers are larger than the server accepts");
    } else {
      error = ErrorCode.BAD_REQUEST.error("malformed HTTP request");
    }
    HttpServerResponse response = request.response();
    response.putHeader(HttpHeaders.CONNECTION, "close");
    send(response, error).onComplete(sent -> request.connection().close());
  }

  private static Future<Void> send(HttpServerResponse response, UsergateException error) {
    response.setStatusCode(error.code().status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    switch (error.code()) {
      case OVERLOADED, TOO_MANY_REQUESTS, UPSTREAM_UNAVAILABLE, STORE_UNAVAILABLE -> {
        // A caller's quota knows its own wait (QuotaCheck); the others say a second.
        if (!response.headers().contains(HttpHeaders.RETRY_AFTER)) {
          response.putHeader(HttpHeaders.RETRY_AFTER, "1");
        }
      }
      case UNAUTHORIZED -> response.putHeader("WWW-Authenticate", "Bearer");
      default -> { }
    }
    // Set by the first handler; a request refused before it (a request line too long) gets one here.
    String requestId = response.headers().get(HeaderNames.HTTP_REQUEST_ID);
    if (requestId == null) {
      requestId = RequestIds.saneOrNew(null);
      response.putHeader(HeaderNames.HTTP_REQUEST_ID, requestId);
    }
    JsonObject json = error.toJson();
    json.getJsonObject("error").put("requestId", requestId);
    return response.end(json.encode());
  }

  private static UsergateException classify(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof HttpException http) {
      return byStatus(http.getStatusCode(), ctx, http.getPayload());
    }
    if (failure != null && !(failure instanceof UsergateException) && isClientError(ctx.statusCode())) {
      // vertx-web refused the request itself (no Host header, say): the client's mistake, not a bug.
      return byStatus(ctx.statusCode(), ctx, failure.getMessage());
    }
    if (failure != null) {
      UsergateException error = UsergateException.from(failure);
      if (error.code() == ErrorCode.INTERNAL) {
        // A bug: the stack trace goes to the log, never to the caller.
        LOG.error("web: {} {} failed", ctx.request().method(), ctx.normalizedPath(), failure);
        if (!(failure instanceof UsergateException || failure instanceof ReplyException)) {
          // Thrown here (a reply a route could not use, say): its text names our classes; the log has it, under the request's id.
          return ErrorCode.INTERNAL.error("internal error");
        }
      }
      return error;
    }
    return byStatus(ctx.statusCode(), ctx, null);
  }

  private static boolean isClientError(int status) {
    return status >= 400 && status < 500;
  }

  private static UsergateException byStatus(int status, RoutingContext ctx, String detail) {
    String what = ctx.request().method() + " " + ctx.normalizedPath();
    return switch (status) {
      case 401 -> ErrorCode.UNAUTHORIZED.error("a valid \"Authorization: Bearer <token>\" is required for " + what);
      case 403 -> ErrorCode.FORBIDDEN.error(detail != null ? detail : "forbidden: " + what);
      case 404 -> ErrorCode.NOT_FOUND.error("no route " + what);
      case 405 -> ErrorCode.METHOD_NOT_ALLOWED.error("method not allowed: " + what);
      case 413 -> ErrorCode.PAYLOAD_TOO_LARGE.error("the body is larger than http.maxBodyBytes");
      case 414 -> ErrorCode.URI_TOO_LONG.error("the request line is longer than the server accepts");
      case 431 -> ErrorCode.HEADERS_TOO_LARGE.error("the request headers are larger than the server accepts");
      default -> {
        if (isClientError(status)) {
          yield ErrorCode.BAD_REQUEST.error(detail != null ? detail : "bad request: " + what);
        }
        LOG.error("web: {} failed with status {}", what, status);
        yield ErrorCode.INTERNAL.error("internal error");
      }
    };
  }
}
