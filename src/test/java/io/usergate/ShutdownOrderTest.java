package io.usergate;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ShutdownOrderTest {

  /** Records when its stop begins, and when it ends, a pause later: stops run one after another would interleave otherwise. */
  private static final class Recorded extends VerticleBase {
    private final String name;
    private final List<String> stops;

    Recorded(String name, List<String> stops) {
      this.name = name;
      this.stops = stops;
    }

    @Override
    public Future<?> stop() {
      stops.add(name + " begins");
      return vertx.timer(50, TimeUnit.MILLISECONDS).onSuccess(t -> stops.add(name + " ends"));
    }
  }

  @Test
  @DisplayName("undeploying the first child stops the later ones first; the instances of one child stop together, after those wrapped later")
  void instancesStopTogetherInOrder() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      List<String> stops = new CopyOnWriteArrayList<>();
      ShutdownOrder order = new ShutdownOrder();
      String store = vertx.deployVerticle(order.next("store", new Recorded("store", stops))).await(10, TimeUnit.SECONDS);
      vertx.deployVerticle(order.nextInstances("web", () -> new Recorded("web", stops)), new DeploymentOptions().setInstances(3))
        .await(10, TimeUnit.SECONDS);
      vertx.deployVerticle(order.next("last", new Recorded("last", stops))).await(10, TimeUnit.SECONDS);
      vertx.undeploy(store).await(10, TimeUnit.SECONDS);
      assertEquals(List.of("last begins", "last ends", "web begins", "web begins", "web begins", "web ends", "web ends",
        "web ends", "store begins", "store ends"), stops);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
