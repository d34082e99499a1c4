package io.usergate;

import io.usergate.cluster.ClusteredVertx;
import io.usergate.config.ConfigKey;
import io.usergate.config.ConfigKeys;
import io.usergate.config.Configuration;
import io.usergate.config.InvalidConfigException;
import io.usergate.log.LogFormat;
import io.usergate.metrics.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Vert.x application launcher, through its documented extension point, for what the stock one
 * does not do: usergate's own {@code --help}, {@code --version} and {@code --print-config}; the
 * configuration resolved once, before Vert.x starts (the cluster settings need it), and handed to main
 * as its {@code config()}; options that cannot work here ({@code -instances} above 1, {@code -worker})
 * refused; metrics switched on.
 */
public class Launcher extends VertxApplication implements VertxApplicationHooks {

  private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);

  /** What {@code --help} says about the options; the keys follow, from the key table. */
  private static final String USAGE = """
    usergate %s: a gateway in front of a slow, rate-limited user directory, with a PostgreSQL mirror.

    Usage: java -jar usergate-fat.jar [options]

    Options:
      -conf FILE|JSON   configuration overrides: a JSON file or inline JSON, holding only the keys it changes
      -cluster          join (or form) a cluster of usergate instances (Hazelcast, see the cluster.* keys)
      --print-config    print the effective configuration, with the layer of each value, and exit
      --version         print the version and exit
      --help            print this and exit

    Configuration, in layers (a later one wins, each naming only the keys it changes): the defaults below;
    conf/config.json in the working directory, if present; -conf; the environment (USERGATE_<SECTION>_<KEY>,
    and PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE when no pg.host is set); -Dusergate.<section>.<key>=...
    A USERGATE_* variable that names no key is ignored, with a warning at start (Kubernetes' service links aside).

    Exit codes: 0 after --help, --version or --print-config; 2 for invalid options or configuration; 15 when
    the start fails (Vert.x's code for a verticle that did not deploy); 143 after SIGTERM and 130 after SIGINT (Ctrl-C), both once the service has stopped cleanly.

    Keys (default, environment variable):
    """;

  private final JsonObject config;
  /** {@code -cluster} given: only then is Hazelcast configured (its classes and XML are not free to load). */
  private final boolean clustered;

  private Launcher(String[] args, JsonObject config) {
    super(args);
    this.config = config;
    this.clustered = List.of(args).stream().anyMatch(arg -> arg.matches("--?cluster(=.*)?"));
  }

  public static void main(String[] args) {
    int code = run(args, System.out, System.err, System.getenv());
    if (code >= 0) {
      System.exit(code);
    }
  }

  /**
   * Handles usergate's own options, or starts the service. Returns the exit code, or -1 when the
   * service runs (the JVM then lives until it is stopped).
   */
  static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> environment) {
    List<String> options = List.of(args);
    if (options.contains("--help") || options.contains("-help") || options.contains("-h")) {
      out.print(help());
      return 0;
    }
    if (options.contains("--version") || options.contains("-version")) {
      out.println("usergate " + version());
      return 0;
    }
    String refused = refusedOption(options);
    if (refused != null) {
      err.println("usergate: " + refused);
      return 2;
    }
    Configuration.Resolved resolved;
    try {
      resolved = Configuration.load(new Configuration.Sources(confArgument(options), Path.of(""), environment, properties()));
    } catch (InvalidConfigException invalid) {
      err.println("usergate does not start: " + invalid.getMessage());
      return 2;
    }
    if (options.contains("--print-config")) {
      out.print(resolved.table());
      return 0;
    }
    // Before the first line of the service itself: every line it writes is in the format asked for.
    LogFormat.apply(resolved.config().getJsonObject("log").getString("format"));
    LOG.info("usergate {}: configuration from {}", version(), resolved.describe());
    resolved.ignored().forEach(ignored -> LOG.warn(ignored.warning()));
    resolved.deprecations().forEach(LOG::warn);
    int code = new Launcher(args, resolved.config()).launch();
    return code == 0 ? -1 : code;
  }

  static String help() {
    StringBuilder keys = new StringBuilder();
    for (ConfigKey key : ConfigKeys.ALL) {
      String value = key.defaultValue() == null ? "(empty)" : String.valueOf(key.defaultValue());
      keys.append(String.format("  %-34s %-14s %s%n      %s%n", key.dotted(), value, key.environmentName(), key.meaning()));
    }
    return USAGE.formatted(version()) + keys;
  }

  /** The version the pom gave the jar's manifest; tests run from classes, where there is none. */
  static String version() {
    String version = Launcher.class.getPackage().getImplementationVersion();
    return version == null ? "(development build)" : version;
  }

  /** Launcher options that would break usergate, with the reason; null when there is none. */
  private static String refusedOption(List<String> options) {
    for (int i = 0; i < options.size(); i++) {
      String option = options.get(i);
      if (option.equals("-worker") || option.equals("--worker")) {
        return "-worker is refused: main deploys event-loop verticles and must not run on a worker thread";
      }
      String instances = option.startsWith("-instances=") || option.startsWith("--instances=")
        ? option.substring(option.indexOf('=') + 1)
        : (option.equals("-instances") || option.equals("--instances")) && i + 1 < options.size() ? options.get(i + 1) : null;
      if (instances != null && !instances.trim().equals("1")) {
        return "-instances " + instances + " is refused: each instance of main would start its own embedded PostgreSQL "
          + "on one data folder; run more processes, or a cluster (-cluster), instead";
      }
    }
    return null;
  }

  /** The value of {@code -conf} / {@code --conf}, in either of the launcher's forms. */
  private static String confArgument(List<String> options) {
    for (int i = 0; i < options.size(); i++) {
      String option = options.get(i);
      if ((option.equals("-conf") || option.equals("--conf")) && i + 1 < options.size()) {
        return options.get(i + 1);
      }
      if (option.startsWith("-conf=") || option.startsWith("--conf=")) {
        return option.substring(option.indexOf('=') + 1);
      }
    }
    return null;
  }

  private static Map<String, String> properties() {
    Map<String, String> properties = new HashMap<>();
    System.getProperties().forEach((key, value) -> properties.put(String.valueOf(key), String.valueOf(value)));
    return properties;
  }

  @Override
  public JsonObject afterConfigParsed(JsonObject parsedByVertx) {
    // The launcher's own reading of -conf is replaced by the resolved layers (it only warns on a bad file).
    return config;
  }

  /**
   * With {@code -cluster}, Hazelcast gets the configuration built from the {@code cluster} section
   * ({@link io.usergate.cluster.HazelcastConfigs}: cluster.xml, then the join {@code cluster.join} names), instead of the
   * cluster manager reading cluster.xml on its own, which could only do the TCP-IP join written in it.
   */
  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    // usergate's registry (Metrics.factory: its filters before the first meter), with the options set below.
    VertxBuilder builder = clustered ? ClusteredVertx.builder(options, config.getJsonObject("cluster")) : Vertx.builder().with(options);
    return builder.withMetrics(Metrics.factory());
  }

  @Override
  public void beforeStartingVertx(HookContext context) {
    context.vertxOptions().setMetricsOptions(Metrics.options());
    // Epoll where netty-transport-native-epoll loads (Linux x86_64), NIO elsewhere: its wake-ups between
    // event loops (every bus hop) are cheaper; the live path gained a tenth of a bare handler's rate with it.
    context.vertxOptions().setPreferNativeTransport(true);
  }

  @Override
  public void afterFailureToStartVertx(HookContext context, Throwable failure) {
    JsonObject cluster = config.getJsonObject("cluster");
    LOG.error("usergate does not start: Vert.x (clustered on {}:{}, cluster.host / cluster.port, 20 ports tried) failed: {}",
      cluster.getString("host"), cluster.getInteger("port"), failure.getMessage());
  }

  @Override
  public void afterFailureToDeployVerticle(HookContext context, Throwable failure) {
    LOG.error("usergate does not start: {}", failure.getMessage());
  }
}
