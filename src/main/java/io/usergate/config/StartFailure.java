package io.usergate.config;

import io.vertx.core.Future;

import java.util.Locale;

/**
 * A start that cannot succeed because of the machine, not the code: a port in use, a data folder in
 * use. Its message names the key to change; it carries no stack trace, since there is no bug to find.
 */
public final class StartFailure extends RuntimeException {

  public StartFailure(String message) {
    super(message, null, false, false);
  }

  /** The failure of a {@code listen} on {@code host:port}, which the key {@code dotted} configures. */
  public static <T> Future<T> bind(String dotted, String host, int port, Throwable cause) {
    String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    boolean inUse = reason.toLowerCase(Locale.ROOT).contains("in use");
    if (inUse) {
      // The same words on every transport: epoll says "bind(..) failed with error(-98): Address already in use".
      reason = "Address already in use";
    }
    return Future.failedFuture(new StartFailure("cannot listen on " + host + ":" + port + " (" + dotted + "): " + reason
      + (inUse ? "; another process has it: stop it, or set " + dotted + " to a free port" : "")));
  }
}
