package io.usergate;

import io.usergate.demo.DemoDirectoryVerticle;
import io.usergate.fetch.FetchVerticle;
import io.usergate.store.Database;
import io.usergate.store.StoreVerticle;
import io.usergate.sync.SyncVerticle;
import io.usergate.web.HttpVerticle;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens PostgreSQL (embedded when none is configured), applies the
 * migrations, then deploys (demo directory →) store → fetch → sync → web. They stop in the reverse order.
 */
public class MainVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(MainVerticle.class);

  private final ShutdownOrder shutdownOrder = new ShutdownOrder();
  private Database database;
  private JsonObject effectiveConfig;

  /** {@code config()} is the configuration the launcher resolved (see {@link io.usergate.config.Configuration}). */
  @Override
  public Future<?> start() {
    effectiveConfig = config().copy();
    return Database.open(vertx, effectiveConfig.getJsonObject("pg"))
      .compose(opened -> {
        database = opened;
        effectiveConfig.put("pg", opened.pgConfig());
        return opened.migrate(vertx);
      })
      .compose(migrated -> deployDemoIfEnabled())
      .compose(demo -> deploy("store", new StoreVerticle(), "pg"))
      .compose(store -> deploy("fetch", new FetchVerticle(), "upstream"))
      .compose(fetch -> deploy("sync", new SyncVerticle(), "sync"))
      .compose(sync -> deploy("web", new HttpVerticle(), "http", "auth", "health", "upstream", "bridge"))
      // Whatever did start must not outlive a failed start (an embedded server above all).
      .recover(failure -> closeDatabase().transform(closed -> Future.failedFuture(failure)));
  }

  @Override
  public Future<?> stop() {
    // The children are already stopped, in reverse order (ShutdownOrder); the database goes last.
    return closeDatabase().onComplete(closed -> LOG.info("main: stopped"));
  }

  /** The demo directory, when asked for; with no {@code upstream.baseUrl} it becomes the upstream. */
  private Future<Void> deployDemoIfEnabled() {
    JsonObject demo = effectiveConfig.getJsonObject("demo");
    if (!demo.getBoolean("enabled")) {
      return Future.succeededFuture();
    }
    DemoDirectoryVerticle directory = new DemoDirectoryVerticle();
    return deploy("demo directory", directory, "demo").map(deployed -> {
      JsonObject upstream = effectiveConfig.getJsonObject("upstream");
      if (upstream.getString("baseUrl") == null || upstream.getString("baseUrl").isBlank()) {
        upstream.put("baseUrl", "http://" + demo.getString("host") + ":" + directory.actualPort());
        LOG.info("main: upstream.baseUrl is empty, so the upstream is the demo directory at {}", upstream.getString("baseUrl"));
      }
      return null;
    });
  }

  /**
   * Each child gets only the sections it reads: it knows nothing else, and Vert.x 5.0 copies a
   * verticle's configuration whenever its HTTP client asks for a connection, so a small one is cheaper.
   */
  private Future<String> deploy(String name, Deployable verticle, String... sections) {
    JsonObject config = new JsonObject();
    for (String section : sections) {
      config.put(section, effectiveConfig.getJsonObject(section).copy());
    }
    return vertx.deployVerticle(shutdownOrder.next(name, verticle), new DeploymentOptions().setConfig(config));
  }

  private Future<Void> closeDatabase() {
    return database == null ? Future.succeededFuture() : database.close(vertx);
  }
}
