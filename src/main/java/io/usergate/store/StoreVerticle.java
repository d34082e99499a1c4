package io.usergate.store;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the PostgreSQL pool and all SQL; every other verticle reaches the database through its addresses.
 * Configuration: the {@code pg} section, with {@code host} and {@code port} of the server to use.
 */
public class StoreVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(StoreVerticle.class);

  private Pool pool;
  private Scopes scopes;

  @Override
  public Future<?> start() {
    JsonObject pg = config().getJsonObject("pg");
    pool = PoolFactory.create(vertx, pg);
    scopes = new Scopes(vertx, pool, pg.getInteger("scopeTimeoutMs"));
    return vertx.eventBus().<JsonObject>consumer(StoreAddresses.PING, this::ping).completion()
      .onSuccess(v -> LOG.info("store: pool of {} connection(s) to {}:{}/{}", pg.getInteger("maxSize"),
        pg.getString("host"), pg.getInteger("port"), pg.getString("database")));
  }

  @Override
  public Future<?> stop() {
    return pool.close();
  }

  private void ping(Message<JsonObject> message) {
    scopes.withConnection(connection -> connection.query(Sql.PING).execute())
      .onSuccess(rows -> message.reply(new JsonObject().put("ok", true)))
      .onFailure(failure -> StoreErrors.classify(failure).replyTo(message));
  }
}
