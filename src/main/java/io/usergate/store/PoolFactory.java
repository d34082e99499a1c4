package io.usergate.store;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Builds the store's pool from its settings ({@link PgSettings}): every knob comes from there. */
public final class PoolFactory {

  private PoolFactory() {
  }

  public static PgConnectOptions connectOptions(PgSettings pg) {
    PgConnectOptions options = new PgConnectOptions()
      .setHost(pg.host())
      .setPort(pg.port())
      .setDatabase(pg.database())
      .setUser(pg.user())
      .setPipeliningLimit(pg.pipeliningLimit())
      .setCachePreparedStatements(pg.preparedStatementCacheSize() > 0)
      .setPreparedStatementCacheMaxSize(Math.max(1, pg.preparedStatementCacheSize()))
      // jit=on made the first query on each new connection take about 1 s here. statement_timeout: a
      // statement cannot outlive its scope's deadline, so a cut scope's rollback gets its turn and the
      // connection comes back (a cancel request instead could hit the connection's next user).
      .setProperties(Map.of("jit", "off", "application_name", "usergate",
        "statement_timeout", String.valueOf(pg.scopeTimeoutMs())));
    if (pg.password() != null) {
      options.setPassword(pg.password());
    }
    return options;
  }

  public static PoolOptions poolOptions(PgSettings pg) {
    return new PoolOptions()
      .setName("usergate-store")
      .setMaxSize(pg.maxSize())
      .setMaxWaitQueueSize(pg.maxWaitQueueSize())
      .setConnectionTimeout(pg.connectionTimeoutMs())
      .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
      .setIdleTimeout(pg.idleTimeoutMs())
      .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
      .setMaxLifetime(pg.maxLifetimeMs())
      .setMaxLifetimeUnit(TimeUnit.MILLISECONDS)
      .setPoolCleanerPeriod(1000);
  }

  /**
   * The client for single-statement reads: pooled and pipelined, so a few connections carry many
   * concurrent reads (each statement takes a connection and gives it back by itself).
   */
  public static SqlClient createReadClient(Vertx vertx, PgSettings pg) {
    return PgBuilder.client()
      .with(poolOptions(pg).setName("usergate-reads").setMaxSize(pg.readPoolSize()))
      .with(new NetClientOptions().setConnectTimeout(pg.connectionTimeoutMs()))
      .connectingTo(connectOptions(pg))
      .using(vertx)
      .build();
  }

  public static Pool create(Vertx vertx, PgSettings pg) {
    return PgBuilder.pool()
      .with(poolOptions(pg))
      // A server that does not answer the TCP connect fails as fast as a pool wait would.
      .with(new NetClientOptions().setConnectTimeout(pg.connectionTimeoutMs()))
      .connectingTo(connectOptions(pg))
      .using(vertx)
      .build();
  }
}
