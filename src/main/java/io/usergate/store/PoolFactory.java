package io.usergate.store;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Builds the store's pool from the {@code pg} configuration section: every knob comes from there. */
public final class PoolFactory {

  private PoolFactory() {
  }

  public static PgConnectOptions connectOptions(JsonObject pg) {
    PgConnectOptions options = new PgConnectOptions()
      .setHost(pg.getString("host"))
      .setPort(pg.getInteger("port"))
      .setDatabase(pg.getString("database"))
      .setUser(pg.getString("user"))
      .setPipeliningLimit(pg.getInteger("pipeliningLimit"))
      .setCachePreparedStatements(pg.getInteger("preparedStatementCacheSize") > 0)
      .setPreparedStatementCacheMaxSize(Math.max(1, pg.getInteger("preparedStatementCacheSize")))
      // jit=on made the first query on each new connection take about 1 s here. statement_timeout: a
      // statement cannot outlive its scope's deadline, so a cut scope's rollback gets its turn and the
      // connection comes back (a cancel request instead could hit the connection's next user).
      .setProperties(Map.of("jit", "off", "application_name", "usergate",
        "statement_timeout", String.valueOf(pg.getInteger("scopeTimeoutMs"))));
    if (pg.getString("password") != null) {
      options.setPassword(pg.getString("password"));
    }
    return options;
  }

  public static PoolOptions poolOptions(JsonObject pg) {
    return new PoolOptions()
      .setName("usergate-store")
      .setMaxSize(pg.getInteger("maxSize"))
      .setMaxWaitQueueSize(pg.getInteger("maxWaitQueueSize"))
      .setConnectionTimeout(pg.getInteger("connectionTimeoutMs"))
      .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
      .setIdleTimeout(pg.getInteger("idleTimeoutMs"))
      .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
      .setMaxLifetime(pg.getInteger("maxLifetimeMs"))
      .setMaxLifetimeUnit(TimeUnit.MILLISECONDS)
      .setPoolCleanerPeriod(1000);
  }

  /**
   * The client for single-statement reads: pooled and pipelined, so a few connections carry many
   * concurrent reads (each statement takes a connection and gives it back by itself).
   */
  public static SqlClient createReadClient(Vertx vertx, JsonObject pg) {
    return PgBuilder.client()
      .with(poolOptions(pg).setName("usergate-reads").setMaxSize(pg.getInteger("readPoolSize")))
      .with(new NetClientOptions().setConnectTimeout(pg.getInteger("connectionTimeoutMs")))
      .connectingTo(connectOptions(pg))
      .using(vertx)
      .build();
  }

  public static Pool create(Vertx vertx, JsonObject pg) {
    return PgBuilder.pool()
      .with(poolOptions(pg))
      // A server that does not answer the TCP connect fails as fast as a pool wait would.
      .with(new NetClientOptions().setConnectTimeout(pg.getInteger("connectionTimeoutMs")))
      .connectingTo(connectOptions(pg))
      .using(vertx)
      .build();
  }
}
