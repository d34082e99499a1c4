package io.usergate.support;

import io.usergate.store.StoreAddresses;
import io.usergate.sync.SyncAddresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sync's rounds driven from a test thread over the event bus: a walk of the directory, started, then waited for
 * until it ends; a round of the follower (delta sync, changed-since polling).
 */
public final class Walks {

  /** The states a walk does not leave by itself. */
  public static final Set<String> ENDED = Set.of("done", "stopped", "interrupted");

  private Walks() {
  }

  /** Starts a walk, checks that it started, and returns its status once it has ended. */
  public static JsonObject toTheEnd(Vertx vertx, Duration atMost) throws Exception {
    JsonObject started = Bus.call(vertx, SyncAddresses.WALK, new JsonObject());
    assertTrue(started.getBoolean("started"), started.encode());
    return ended(vertx, atMost);
  }

  /** The walk's status once it has ended (done, stopped or interrupted), polled every 50 ms. */
  public static JsonObject ended(Vertx vertx, Duration atMost) {
    AtomicReference<JsonObject> walk = new AtomicReference<>();
    await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> {
      walk.set(Bus.call(vertx, StoreAddresses.WALK_STATUS, new JsonObject()));
      return ENDED.contains(walk.get().getString("state"));
    });
    return walk.get();
  }

  /** One round of the follower ({@code usergate.sync.follow}), checked to have run; its answer. */
  public static JsonObject followRound(Vertx vertx) throws Exception {
    JsonObject round = Bus.call(vertx, SyncAddresses.FOLLOW, new JsonObject());
    assertTrue(round.getBoolean("ran"), round.encode());
    return round;
  }
}
