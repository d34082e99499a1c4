package io.usergate;

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
      InvalidConfigException invalid =
        new InvalidConfigException("the -conf argument is neither a readable JSON file nor a JSON object");
      LOG.error("usergate does not start: {}", invalid.getMessage());
      throw invalid;
    }
    return config;
  }

  @Override
  public void beforeStartingVertx(HookContext context) {
    context.vertxOptions().setMetricsOptions(Metrics.options());
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
