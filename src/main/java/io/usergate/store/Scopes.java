package io.usergate.store;

import io.usergate.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The only ways the store uses a connection: {@link #withConnection} and {@link #withTransaction}.
 * Both give the connection back whatever happens, including a function that throws or never completes:
 * past {@code scopeTimeoutMs} the caller fails with {@code STORE_UNAVAILABLE}, a statement still
 * running is ended by the server's {@code statement_timeout}, and the pool's own scope rolls back before
 * giving the connection back, so it is never reused in the middle of a transaction.
 */
public final class Scopes {

  private final Vertx vertx;
  private final Pool pool;
  private final long scopeTimeoutMs;
  private final AtomicInteger inUse = new AtomicInteger();

  public Scopes(Vertx vertx, Pool pool, long scopeTimeoutMs) {
    this.vertx = vertx;
    this.pool = pool;
    this.scopeTimeoutMs = scopeTimeoutMs;
  }

  public <T> Future<T> withConnection(Function<SqlConnection, Future<T>> work) {
    return bounded(deadline -> counted(pool.withConnection(connection -> guarded(connection, work, deadline))));
  }

  public <T> Future<T> withTransaction(Function<SqlConnection, Future<T>> work) {
    return bounded(deadline -> counted(pool.withTransaction(connection -> guarded(connection, work, deadline))));
  }

  /** Scopes started and not yet finished (waiting for a connection or holding one): zero when idle. */
  public int inUse() {
    return inUse.get();
  }

  private <T> Future<T> counted(Future<T> scope) {
    inUse.incrementAndGet();
    return scope.andThen(done -> inUse.decrementAndGet());
  }

  /**
   * A single statement on the pipelined read client, which takes and gives back its connection by
   * itself; the same deadline applies.
   */
  public <T> Future<T> read(SqlClient client, Function<SqlClient, Future<T>> statement) {
    return bounded(deadline -> statement.apply(client));
  }

  /**
   * Runs a scope with a deadline that starts now, so the wait for a connection counts too. The caller
   * is answered at the deadline; the scope itself finishes its clean-up in the background.
   */
  private <T> Future<T> bounded(Function<Future<Void>, Future<T>> scope) {
    Promise<T> caller = Promise.promise();
    Promise<Void> deadline = Promise.promise();
    long timer = vertx.setTimer(scopeTimeoutMs, id -> {
      deadline.tryComplete();
      caller.tryFail(ErrorCode.STORE_UNAVAILABLE.error("the store did not finish within " + scopeTimeoutMs + " ms"));
    });
    Future<T> result;
    try {
      result = scope.apply(deadline.future());
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(done -> {
      vertx.cancelTimer(timer);
      settle(caller, done.result(), done.cause());
    });
    return caller.future();
  }

  /** The caller's function, made safe: a synchronous throw fails the scope, and the deadline cuts it. */
  private static <T> Future<T> guarded(SqlConnection connection, Function<SqlConnection, Future<T>> work,
                                       Future<Void> deadline) {
    Promise<T> scope = Promise.promise();
    // A statement still running holds the rollback back until the server's statement_timeout (set to
    // the same deadline on every connection, see PoolFactory) ends it.
    deadline.onSuccess(expired -> scope.tryFail(ErrorCode.STORE_UNAVAILABLE.error("scope deadline passed")));
    try {
      work.apply(connection).onComplete((result, failure) -> settle(scope, result, failure));
    } catch (RuntimeException e) {
      scope.tryFail(e);
    }
    return scope.future();
  }

  /** Completes unless the deadline already failed the promise. */
  private static <T> void settle(Promise<T> promise, T result, Throwable failure) {
    if (failure == null) {
      promise.tryComplete(result);
    } else {
      promise.tryFail(failure);
    }
  }
}
