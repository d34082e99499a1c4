package io.usergate;

import io.usergate.config.Configuration;
import io.usergate.demo.DemoDirectoryVerticle;
import io.usergate.fetch.FetchVerticle;
import io.usergate.store.Database;
import io.usergate.store.StoreVerticle;
import io.usergate.sync.SyncVerticle;
import io.usergate.web.HttpVerticle;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the configuration once, opens PostgreSQL (embedded when none is configured), applies the
 * migrations, then deploys (demo directory →) store → fetch → sync → web. They stop in the reverse order.
 */
public class MainVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(MainVerticle.class);

  private final ConfigStoreOptions environment;
  private final ShutdownOrder shutdownOrder = new ShutdownOrder();
  private Database database;
  private JsonObject effectiveConfig;

  /** The launcher's constructor: environment overrides come from the process environment. */
  public MainVerticle() {
    this(Configuration.systemEnvironment());
  }

  /** For tests: the environment overrides come from {@code environment}. */
  public MainVerticle(ConfigStoreOptions environment) {
    this.environment = environment;
  }

  @Override
  public Future<?> start() {
    return Configuration.load(vertx, config(), environment)
      .compose(loaded -> {
        LOG.info("main: configuration from {}", loaded.source());
        effectiveConfig = loaded.config();
        return Database.open(vertx, effectiveConfig.getJsonObject("pg"));
      })
      .compose(opened -> {
        database = opened;
        effectiveConfig.put("pg", opened.pgConfig());
        return opened.migrate(vertx);
      })
      .compose(migrated -> deployDemoIfEnabled())
      .compose(demo -> deploy("store", new StoreVerticle()))
      .compose(store -> deploy("fetch", new FetchVerticle()))
      .compose(fetch -> deploy("sync", new SyncVerticle()))
      .compose(sync -> deploy("web", new HttpVerticle()))
      .onFailure(failure -> LOG.error("main: start failed: {}", failure.getMessage()))
      // Whatever did start must not outlive a failed start (an embedded server above all).
      .recover(failure -> closeDatabase().transform(closed -> Future.failedFuture(failure)));
  }

  @Override
  public Future<?> stop() {
    // The children are already stopped, in reverse order (ShutdownOrder); the database goes last.
    return closeDatabase().onComplete(closed -> LOG.info("main: stopped"));
  }

  /** The configuration every child got, with the PostgreSQL actually in use. */
  public JsonObject effectiveConfig() {
    return effectiveConfig.copy();
  }

  /** The demo directory, when asked for; with no {@code upstream.baseUrl} it becomes the upstream. */
  private Future<Void> deployDemoIfEnabled() {
    JsonObject demo = effectiveConfig.getJsonObject("demo");
    if (!demo.getBoolean("enabled")) {
      return Future.succeededFuture();
    }
    DemoDirectoryVerticle directory = new DemoDirectoryVerticle();
    return deploy("demo directory", directory).map(deployed -> {
      JsonObject upstream = effectiveConfig.getJsonObject("upstream");
      if (upstream.getString("baseUrl") == null || upstream.getString("baseUrl").isBlank()) {
        upstream.put("baseUrl", "http://" + demo.getString("host") + ":" + directory.actualPort());
        LOG.info("main: upstream.baseUrl is empty, so the upstream is the demo directory at {}", upstream.getString("baseUrl"));
      }
      return null;
    });
  }

  private Future<String> deploy(String name, Deployable verticle) {
    return vertx.deployVerticle(shutdownOrder.next(name, verticle),
      new DeploymentOptions().setConfig(effectiveConfig.copy()));
  }

  private Future<Void> closeDatabase() {
    return database == null ? Future.succeededFuture() : database.close(vertx);
  }
}
