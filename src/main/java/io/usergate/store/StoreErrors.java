package io.usergate.store;

import io.usergate.error.ErrorCode;
import io.usergate.error.UsergateException;
import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/** Turns a database failure into the error contract: busy pool, unreachable server, or a bug. */
final class StoreErrors {

  private static final Logger LOG = LoggerFactory.getLogger(StoreErrors.class);

  private StoreErrors() {
  }

  static UsergateException classify(Throwable failure) {
    if (failure instanceof UsergateException known) {
      return known;
    }
    if (failure instanceof ConnectionPoolTooBusyException) {
      return ErrorCode.OVERLOADED.error("the store is busy: " + failure.getMessage());
    }
    if (failure instanceof PgException pg) {
      String state = pg.getSqlState() == null ? "" : pg.getSqlState();
      // 08: connection exception, 57P: operator intervention (shutdown), 53: insufficient resources.
      if (state.startsWith("08") || state.startsWith("57P") || state.startsWith("53")) {
        return ErrorCode.STORE_UNAVAILABLE.error("PostgreSQL is unavailable: " + pg.getMessage());
      }
      LOG.error("store: unexpected PostgreSQL error", failure);
      return ErrorCode.INTERNAL.error("the store failed (SQLSTATE " + state + ")");
    }
    // Connection refused or reset, closed connection, pool wait timeout, pool closed.
    if (failure instanceof IOException || failure instanceof ClosedConnectionException
      || failure instanceof VertxException) {
      return ErrorCode.STORE_UNAVAILABLE.error("PostgreSQL is unavailable: " + describe(failure));
    }
    LOG.error("store: unexpected failure", failure);
    return ErrorCode.INTERNAL.error("the store failed: " + failure.getClass().getSimpleName());
  }

  private static String describe(Throwable failure) {
    String message = failure.getMessage();
    return message == null ? failure.getClass().getSimpleName() : message;
  }
}
