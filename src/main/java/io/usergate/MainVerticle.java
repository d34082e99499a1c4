package io.usergate;

import io.usergate.config.Configuration;
import io.usergate.config.InvalidConfigException;
import io.usergate.store.Database;
import io.usergate.store.StoreVerticle;
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
 * migrations, then deploys store → fetch → sync → web. They stop in the reverse order.
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
    rejectUnreadableConfFile();
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
      .compose(migrated -> deploy("store", new StoreVerticle()))
      .compose(store -> deploy("web", new HttpVerticle()))
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

  private Future<String> deploy(String name, Deployable verticle) {
    return vertx.deployVerticle(shutdownOrder.next(name, verticle),
      new DeploymentOptions().setConfig(effectiveConfig.copy()));
  }

  private Future<Void> closeDatabase() {
    return database == null ? Future.succeededFuture() : database.close(vertx);
  }

  /**
   * The launcher only warns when {@code -conf} names a file it cannot read, and passes an empty
   * configuration on; that must stop the start rather than fall back to the defaults unnoticed.
   * The launcher exposes its arguments to no public API, so they are read from the JVM's command line.
   */
  private void rejectUnreadableConfFile() {
    String command = System.getProperty("sun.java.command", "");
    if (config().isEmpty() && (command.contains(" -conf ") || command.contains(" --conf "))) {
      throw new InvalidConfigException("the -conf argument is neither a readable JSON file nor a JSON object");
    }
  }
}
