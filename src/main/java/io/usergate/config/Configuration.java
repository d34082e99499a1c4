package io.usergate.config;

import io.usergate.web.OriginPolicy;
import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads the configuration once: {@code conf/config.json} (or the launcher's {@code -conf}), then one
 * environment variable per key ({@code USERGATE_<SECTION>_<KEY>}), then checks every key.
 */
public final class Configuration {

  public static final String DEFAULT_FILE = "conf/config.json";

  /** Every key the service reads; a key in the file that is not here is a typo and stops the start. */
  public static final List<ConfigKey> KEYS = List.of(
    ConfigKey.string("http.host", false),
    ConfigKey.integer("http.port", 0, 65535),
    ConfigKey.integer("http.shutdownGraceMs", 0, 600_000),
    ConfigKey.integer("http.drainDelayMs", 0, 600_000),
    ConfigKey.integer("http.maxBodyBytes", 1, 1_073_741_824),
    ConfigKey.integer("http.requestTimeoutMs", 1, 3_600_000),
    ConfigKey.string("http.allowedOrigins", false),
    ConfigKey.string("auth.token", true),
    ConfigKey.integer("health.timeoutMs", 1, 600_000),
    ConfigKey.string("upstream.baseUrl", true),
    ConfigKey.string("upstream.userPath", false),
    ConfigKey.integer("upstream.timeoutMs", 1, 600_000),
    ConfigKey.integer("upstream.retries", 0, 10),
    ConfigKey.integer("upstream.retryBaseDelayMs", 1, 60_000),
    ConfigKey.integer("upstream.maxConcurrent", 1, 10_000),
    ConfigKey.integer("upstream.maxQueued", 0, 1_000_000),
    ConfigKey.integer("upstream.queueTimeoutMs", 1, 3_600_000),
    ConfigKey.integer("upstream.maxIdsPerRequest", 1, 100_000),
    ConfigKey.bool("upstream.breakerEnabled"),
    ConfigKey.integer("upstream.breakerMaxFailures", 1, 1_000_000),
    ConfigKey.integer("upstream.breakerResetMs", 1, 3_600_000),
    ConfigKey.integer("upstream.writeThroughDelayMs", 0, 60_000),
    ConfigKey.integer("upstream.writeThroughMinIntervalMs", 0, 3_600_000),
    ConfigKey.integer("sync.intervalMs", 1, 86_400_000),
    ConfigKey.integer("sync.batchSize", 1, 100_000),
    ConfigKey.integer("sync.leaseMs", 100, 86_400_000),
    ConfigKey.integer("sync.maxAttempts", 1, 1000),
    ConfigKey.integer("sync.retryBaseDelayMs", 0, 86_400_000),
    ConfigKey.integer("sync.retryMaxDelayMs", 0, 604_800_000),
    ConfigKey.integer("sync.shutdownGraceMs", 0, 600_000),
    ConfigKey.integer("sync.refreshIntervalMs", 1, 604_800_000),
    ConfigKey.longValue("sync.refreshAfterMs", 1, 31_536_000_000L),
    ConfigKey.string("cluster.name", false),
    ConfigKey.string("cluster.host", false),
    ConfigKey.integer("cluster.port", 1, 65535),
    ConfigKey.string("cluster.members", false),
    ConfigKey.optionalInteger("bridge.tcpPort", 0, 65535),
    ConfigKey.bool("demo.enabled"),
    ConfigKey.string("demo.host", false),
    ConfigKey.integer("demo.port", 0, 65535),
    ConfigKey.integer("demo.users", 0, 100_000_000),
    ConfigKey.integer("demo.latencyMs", 0, 600_000),
    ConfigKey.integer("demo.jitterMs", 0, 600_000),
    ConfigKey.fraction("demo.errorRate"),
    ConfigKey.fraction("demo.hangRate"),
    ConfigKey.string("pg.host", true),
    ConfigKey.integer("pg.port", 0, 65535),
    ConfigKey.string("pg.database", false),
    ConfigKey.string("pg.user", false),
    ConfigKey.string("pg.password", true),
    ConfigKey.string("pg.dataDir", false),
    ConfigKey.integer("pg.maxSize", 1, 1000),
    ConfigKey.integer("pg.maxWaitQueueSize", 0, 1_000_000),
    ConfigKey.integer("pg.readPoolSize", 1, 1000),
    ConfigKey.integer("pg.connectionTimeoutMs", 1, 600_000),
    ConfigKey.integer("pg.scopeTimeoutMs", 1, 3_600_000),
    ConfigKey.integer("pg.idleTimeoutMs", 0, 86_400_000),
    ConfigKey.integer("pg.maxLifetimeMs", 0, 86_400_000),
    ConfigKey.integer("pg.pipeliningLimit", 1, 10_000),
    ConfigKey.integer("pg.preparedStatementCacheSize", 0, 100_000)
  );

  /** The usual libpq variables, honoured when {@code pg.host} is not set. */
  private static final Map<String, String> LIBPQ_VARIABLES = Map.of(
    "PGHOST", "host", "PGPORT", "port", "PGDATABASE", "database", "PGUSER", "user", "PGPASSWORD", "password");

  /** The process environment, read through vertx-config; tests pass a {@code json} store instead. */
  public static ConfigStoreOptions systemEnvironment() {
    JsonArray names = new JsonArray();
    KEYS.forEach(key -> names.add(key.environmentName()));
    LIBPQ_VARIABLES.keySet().forEach(names::add);
    return new ConfigStoreOptions().setType("env")
      .setConfig(new JsonObject().put("raw-data", true).put("keys", names));
  }

  /** The configuration and a line that says where it came from. */
  public record Loaded(JsonObject config, String source) {
  }

  private Configuration() {
  }

  /**
   * @param launcherConfig the launcher's {@code -conf} content; empty means "use {@link #DEFAULT_FILE}"
   * @param environment    where the environment overrides come from
   */
  public static Future<Loaded> load(Vertx vertx, JsonObject launcherConfig, ConfigStoreOptions environment) {
    boolean fromLauncher = launcherConfig != null && !launcherConfig.isEmpty();
    ConfigStoreOptions base = fromLauncher
      ? new ConfigStoreOptions().setType("json").setConfig(launcherConfig)
      : new ConfigStoreOptions().setType("file").setFormat("json")
          .setConfig(new JsonObject().put("path", DEFAULT_FILE));
    Future<JsonObject> file = read(vertx, base).recover(failure -> Future.failedFuture(new InvalidConfigException(
      "cannot read " + DEFAULT_FILE + " (no -conf given, working directory " + System.getProperty("user.dir")
        + "): " + failure.getMessage())));
    return Future.all(file, read(vertx, environment)).map(both -> {
      List<String> overrides = new ArrayList<>();
      JsonObject config = resolve(both.resultAt(0), both.resultAt(1), overrides);
      String source = (fromLauncher ? "the -conf of the launcher" : DEFAULT_FILE)
        + (overrides.isEmpty() ? "" : ", overridden by " + String.join(", ", overrides));
      return new Loaded(config, source);
    });
  }

  /**
   * Blocking, for the launcher before Vert.x exists: the configuration as {@link #load} resolves it
   * (the {@code -conf} content, else {@link #DEFAULT_FILE}), or empty when there is no file to read
   * (main then fails with the full story).
   */
  public static JsonObject loadBlocking(JsonObject launcherConfig, Map<String, String> environment) {
    JsonObject file = launcherConfig;
    if (file == null || file.isEmpty()) {
      try {
        file = new JsonObject(java.nio.file.Files.readString(java.nio.file.Path.of(DEFAULT_FILE)));
      } catch (java.io.IOException | io.vertx.core.json.DecodeException e) {
        return new JsonObject();
      }
    }
    JsonObject env = new JsonObject();
    environment.forEach(env::put);
    return resolve(file, env, new ArrayList<>());
  }

  private static Future<JsonObject> read(Vertx vertx, ConfigStoreOptions store) {
    ConfigRetriever retriever = ConfigRetriever.create(vertx,
      new ConfigRetrieverOptions().setScanPeriod(-1).setIncludeDefaultStores(false).addStore(store));
    return retriever.getConfig().andThen(done -> retriever.close());
  }

  /** Applies the environment to the file's values and checks every key; throws on the first bad one. */
  public static JsonObject resolve(JsonObject file, JsonObject environment, List<String> overrides) {
    rejectUnknownKeys(file);
    JsonObject config = new JsonObject();
    for (ConfigKey key : KEYS) {
      JsonObject section = file.getJsonObject(key.section(), new JsonObject());
      String variable = key.environmentName();
      Object value;
      String source;
      if (environment.containsKey(variable)) {
        value = key.parse(String.valueOf(environment.getValue(variable)));
        source = variable;
        overrides.add(variable);
      } else {
        value = section.getValue(key.name());
        source = "the configuration file";
      }
      Object checked = key.check(value, source);
      checkContent(key, checked, source);
      sectionOf(config, key.section()).put(key.name(), checked);
    }
    applyLibpqVariables(config.getJsonObject("pg"), environment, overrides);
    checkUpstream(config);
    return config;
  }

  /** Keys whose value has a syntax of its own. */
  private static void checkContent(ConfigKey key, Object value, String source) {
    if (key.dotted().equals("http.allowedOrigins")) {
      try {
        OriginPolicy.parseAllowList((String) value);
      } catch (IllegalArgumentException e) {
        throw new InvalidConfigException(key, "\"" + value + "\" " + e.getMessage(), source);
      }
    }
  }

  private static void checkUpstream(JsonObject config) {
    JsonObject upstream = config.getJsonObject("upstream");
    String baseUrl = upstream.getString("baseUrl");
    if (baseUrl == null || baseUrl.isBlank()) {
      if (!config.getJsonObject("demo").getBoolean("enabled")) {
        throw new InvalidConfigException("upstream.baseUrl is empty and demo.enabled is false: name the upstream directory");
      }
    } else {
      try {
        URI uri = new URI(baseUrl);
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
          throw new URISyntaxException(baseUrl, "not an http(s) URL with a host");
        }
      } catch (URISyntaxException e) {
        throw new InvalidConfigException("upstream.baseUrl \"" + baseUrl + "\" is not an http(s) URL: " + e.getReason());
      }
    }
    if (!upstream.getString("userPath").contains("{id}")) {
      throw new InvalidConfigException("upstream.userPath \"" + upstream.getString("userPath") + "\" has no {id}");
    }
  }

  private static void applyLibpqVariables(JsonObject pg, JsonObject environment, List<String> overrides) {
    if (pg.getString("host") != null || !environment.containsKey("PGHOST")) {
      return;
    }
    Map<String, ConfigKey> pgKeys = new LinkedHashMap<>();
    KEYS.stream().filter(key -> key.section().equals("pg")).forEach(key -> pgKeys.put(key.name(), key));
    LIBPQ_VARIABLES.forEach((variable, name) -> {
      if (environment.containsKey(variable) && !environment.containsKey(pgKeys.get(name).environmentName())) {
        ConfigKey key = pgKeys.get(name);
        pg.put(name, key.check(key.parse(String.valueOf(environment.getValue(variable))), variable));
        overrides.add(variable);
      }
    });
  }

  private static void rejectUnknownKeys(JsonObject file) {
    for (String section : file.fieldNames()) {
      Object content = file.getValue(section);
      if (!(content instanceof JsonObject values)) {
        throw new InvalidConfigException(section + " is not a section (an object of keys)");
      }
      for (String name : values.fieldNames()) {
        String dotted = section + "." + name;
        if (KEYS.stream().noneMatch(key -> key.dotted().equals(dotted))) {
          throw new InvalidConfigException(dotted + " is not a known key");
        }
      }
    }
  }

  private static JsonObject sectionOf(JsonObject config, String section) {
    JsonObject values = config.getJsonObject(section);
    if (values == null) {
      values = new JsonObject();
      config.put(section, values);
    }
    return values;
  }
}
