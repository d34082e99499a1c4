package io.usergate;

import io.usergate.config.Configuration;
import io.usergate.config.InvalidConfigException;
import io.usergate.metrics.Metrics;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Vert.x application launcher, through its documented extension point, for what the stock one
 * does not do: metrics (Prometheus) switched on; a {@code -conf} that cannot be read stops the start (the stock launcher only warns
 * and deploys on an empty configuration), and a SIGTERM that stops the service cleanly exits 0 (the
 * JVM would otherwise report 143, "killed by SIGTERM").
 */
public class Launcher extends VertxApplication implements VertxApplicationHooks {

  private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);

  private final boolean confGiven;
  private volatile boolean deployed;

  public Launcher(String[] args) {
    super(args);
    boolean given = false;
    for (String arg : args) {
      given |= arg.equals("-conf") || arg.equals("--conf") || arg.startsWith("-conf=") || arg.startsWith("--conf=");
    }
    this.confGiven = given;
  }

  public static void main(String[] args) {
    new Launcher(args).launch();
  }

  @Override
  public JsonObject afterConfigParsed(JsonObject config) {
    if (confGiven && config == null) {
      fail(new InvalidConfigException("the -conf argument is neither a readable JSON file nor a JSON object"));
    }
    try {
      JsonObject cluster = Configuration.loadBlocking(config, System.getenv()).getJsonObject("cluster");
      if (cluster != null) {
        // cluster.xml reads these (Hazelcast replaces ${...} with system properties); -D wins.
        for (String key : new String[] {"name", "host", "port", "members"}) {
          System.getProperties().putIfAbsent("usergate.cluster." + key, String.valueOf(cluster.getValue(key)));
        }
      }
    } catch (InvalidConfigException invalid) {
      fail(invalid);
    }
    return config;
  }

  @Override
  public void beforeStartingVertx(HookContext context) {
    context.vertxOptions().setMetricsOptions(Metrics.options());
    // The clustered event bus listens on the same interface as Hazelcast, not on a guessed one.
    String host = System.getProperty("usergate.cluster.host");
    if (host != null && context.vertxOptions().getEventBusOptions().getHost() == null) {
      context.vertxOptions().getEventBusOptions().setHost(host);
    }
  }

  private static void fail(InvalidConfigException invalid) {
    LOG.error("usergate does not start: {}", invalid.getMessage());
    throw invalid;
  }

  @Override
  public void afterVerticleDeployed(HookContext context) {
    deployed = true;
  }

  @Override
  public void afterVertxStopped(HookContext context) {
    // Called from the JVM's shutdown hook once every verticle has stopped. A service that was running
    // and stopped cleanly exits 0; a failed start keeps the launcher's own non-zero exit code.
    if (deployed) {
      Runtime.getRuntime().halt(0);
    }
  }
}
