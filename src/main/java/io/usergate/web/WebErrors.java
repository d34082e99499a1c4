package io.usergate.web;

import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
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
    response.setStatusCode(error.code().status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    switch (error.code()) {
      case OVERLOADED, UPSTREAM_UNAVAILABLE, STORE_UNAVAILABLE -> response.putHeader(HttpHeaders.RETRY_AFTER, "1");
      case UNAUTHORIZED -> response.putHeader("WWW-Authenticate", "Bearer");
      default -> { }
    }
    response.end(error.toJson().encode());
  }

  private static UsergateException classify(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof HttpException http) {
      return byStatus(http.getStatusCode(), ctx, http.getPayload());
    }
    if (failure != null) {
      UsergateException error = UsergateException.from(failure);
      if (error.code() == ErrorCode.INTERNAL) {
        // A bug: the stack trace goes to the log, never to the caller.
        LOG.error("web: {} {} failed", ctx.request().method(), ctx.normalizedPath(), failure);
      }
      return error;
    }
    return byStatus(ctx.statusCode(), ctx, null);
  }

  private static UsergateException byStatus(int status, RoutingContext ctx, String detail) {
    String what = ctx.request().method() + " " + ctx.normalizedPath();
    return switch (status) {
      case 400 -> ErrorCode.BAD_REQUEST.error(detail != null ? detail : "bad request: " + what);
      case 401 -> ErrorCode.UNAUTHORIZED.error("a valid \"Authorization: Bearer <token>\" is required for " + what);
      case 403 -> ErrorCode.FORBIDDEN.error(detail != null ? detail : "forbidden: " + what);
      case 404 -> ErrorCode.NOT_FOUND.error("no route " + what);
      case 405 -> ErrorCode.METHOD_NOT_ALLOWED.error("method not allowed: " + what);
      case 413 -> ErrorCode.PAYLOAD_TOO_LARGE.error("the body is larger than http.maxBodyBytes");
      default -> {
        LOG.error("web: {} failed with status {}", what, status);
        yield ErrorCode.INTERNAL.error("internal error");
      }
    };
  }
}
