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
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * Opens PostgreSQL (embedded when none is configured), applies the
 * migrations, then deploys (demo directory →) store → fetch → sync → web. They stop in the reverse order.
 */
public class MainVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(MainVerticle.class);

  public static final String DEMO = "demo directory";
  public static final String STORE = "store";
  public static final String FETCH = "fetch";
  public static final String SYNC = "sync";
  public static final String WEB = "web";

  /** The configuration sections each child reads. */
  private static final Map<String, List<String>> SECTIONS = Map.of(
    DEMO, List.of("demo"),
    STORE, List.of("pg", "changes", "cache"),
    FETCH, List.of("upstream", "cache", "mapping", "sync", "auth"),
    SYNC, List.of("sync", "changes"),
    WEB, List.of("http", "auth", "health", "bridge", "cache", "changes"));

  private final ShutdownOrder shutdownOrder = new ShutdownOrder();
  private Database database;
  private JsonObject effectiveConfig;

  /** {@code config()} is the configuration the launcher resolved (see {@link io.usergate.config.Configuration}). */
  @Override
  public Future<?> start() {
    effectiveConfig = config().copy();
    LOG.info("main: Vert.x on the {} transport", vertx.isNativeTransportEnabled() ? "native (epoll)" : "NIO");
    Future<Void> schema = Database.open(vertx, effectiveConfig.getJsonObject("pg"))
      .compose(opened -> {
        database = opened;
        effectiveConfig.put("pg", opened.pgConfig());
        return opened.migrate(vertx);
      });
    // The demo directory needs no database: it starts while PostgreSQL does and migrates.
    Future<Void> demo = deployDemoIfEnabled();
    // Both settle before anything is decided: a failure of one never leaves the other's server running.
    return Future.join(schema, demo)
      .compose(ready -> deploy(STORE, new StoreVerticle()))
      .compose(store -> deploy(FETCH, new FetchVerticle()))
      .compose(fetch -> deploy(SYNC, new SyncVerticle()))
      .compose(sync -> deployWeb())
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
    return deploy(DEMO, directory).map(deployed -> {
      JsonObject upstream = effectiveConfig.getJsonObject("upstream");
      if (upstream.getString("baseUrl") == null || upstream.getString("baseUrl").isBlank()) {
        upstream.put("baseUrl", directory.baseUrl());
        // The demo's own credentials, where no layer named the directory's: its client, or its static token.
        JsonObject credentials = directory.credentials();
        boolean client = upstream.getString("clientId") != null;
        boolean authorization = upstream.getJsonObject("headers").fieldNames().stream().anyMatch("Authorization"::equalsIgnoreCase);
        if (credentials.containsKey("clientId") && !client && !authorization) {
          credentials.fieldNames().forEach(key -> upstream.put(key, credentials.getValue(key)));
        } else if (credentials.containsKey("headers") && !client && !authorization) {
          upstream.getJsonObject("headers").mergeIn(credentials.getJsonObject("headers"));
        }
        LOG.info("main: upstream.baseUrl is empty, so the upstream is the demo directory at {}{}", upstream.getString("baseUrl"),
          credentials.isEmpty() || client || authorization ? "" : ", with its demo credentials");
      }
      return null;
    });
  }

  /**
   * The web, one instance per event loop (http.instances, 0: Vert.x's event-loop pool), all sharing the node's
   * cache and its port: HTTP parsing, routing and JSON run on every core. Fetch, store and sync stay single:
   * they own the semaphore and the rate, the pool, the timers.
   */
  private Future<String> deployWeb() {
    int configured = effectiveConfig.getJsonObject("http").getInteger("instances");
    int instances = configured > 0 ? configured : VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    LOG.info("main: the web on {} instance(s){}", instances, configured > 0 ? " (http.instances)" : ", one per event loop");
    return vertx.deployVerticle(shutdownOrder.nextInstances(WEB, HttpVerticle::new),
      new DeploymentOptions().setConfig(configFor(WEB, effectiveConfig)).setInstances(instances));
  }

  private Future<String> deploy(String name, Deployable verticle) {
    return vertx.deployVerticle(shutdownOrder.next(name, verticle), new DeploymentOptions().setConfig(configFor(name, effectiveConfig)));
  }

  /**
   * The configuration of a child: only the sections it reads. It knows nothing else, and Vert.x 5.0
   * copies a verticle's configuration whenever its HTTP client asks for a connection, so a small one is
   * cheaper. Tests deploy the verticles with the same slices ({@code support/Stack}).
   */
  public static JsonObject configFor(String child, JsonObject config) {
    JsonObject slice = new JsonObject();
    for (String section : SECTIONS.get(child)) {
      slice.put(section, config.getJsonObject(section).copy());
    }
    return slice;
  }

  private Future<Void> closeDatabase() {
    return database == null ? Future.succeededFuture() : database.close(vertx);
  }
}
