package io.usergate.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.pubsub.PgSubscriber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code LISTEN usergate_sync_jobs}: an enqueue or a retry on any node (its transaction sends a NOTIFY at
 * commit) wakes this node's sync at once, through a local {@link StoreAddresses#JOBS_WAKE}, instead of at
 * its next tick. The subscriber reconnects by itself when PostgreSQL goes away; each (re)subscription
 * wakes the sync too, for what was enqueued while it was not listening. The timer stays as the fallback.
 */
final class JobWakeups {

  private static final Logger LOG = LoggerFactory.getLogger(JobWakeups.class);
  static final long RECONNECT_MS = 500;
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final Vertx vertx;
  private final PgSubscriber subscriber;
  private boolean closed;

  JobWakeups(Vertx vertx, PgSettings pg) {
    this.vertx = vertx;
    this.subscriber = PgSubscriber.subscriber(vertx, PoolFactory.connectOptions(pg))
      // Never give up: the notifications are a shortcut, and the database comes back.
      .reconnectPolicy(attempts -> {
        if (attempts == 0) {
          LOG.warn("store: lost the LISTEN connection to PostgreSQL; reconnecting every {} ms (the sync's timer runs meanwhile)", RECONNECT_MS);
        }
        return closed ? -1L : RECONNECT_MS;
      });
    subscriber.channel(Sql.JOBS_CHANNEL)
      .subscribeHandler(subscribed -> wake())
      .handler(payload -> wake());
  }

  /** Listens; a first connection that fails is tried again, without failing the store's start. */
  Future<Void> start() {
    return subscriber.connect().recover(failure -> {
      LOG.warn("store: cannot LISTEN for enqueued jobs yet ({}); trying again in {} ms", failure.getMessage(), RECONNECT_MS);
      vertx.setTimer(RECONNECT_MS, retry -> {
        if (!closed) {
          start();
        }
      });
      return Future.succeededFuture();
    });
  }

  private void wake() {
    vertx.eventBus().publish(StoreAddresses.JOBS_WAKE, new JsonObject(), LOCAL);
  }

  Future<Void> close() {
    closed = true;
    return subscriber.close();
  }
}
