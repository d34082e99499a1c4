package io.usergate.config;

import io.usergate.auth.Access;
import io.usergate.cluster.HazelcastConfigs;
import io.usergate.fetch.ChangedSince;
import io.usergate.user.ActiveRule;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;
import io.vertx.uritemplate.UriTemplate;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves the configuration once, in the launcher, from layers deep-merged in this order, each naming
 * only the keys it changes: the built-in defaults ({@link ConfigKeys}); {@code conf/config.json} in the
 * working directory if present; the preset's keys ({@code upstream.preset}, {@link Presets}: its name comes from any
 * layer, its keys sit just above the defaults, so any other layer overrides them); the launcher's {@code -conf} (a file or inline JSON); {@code USERGATE_*}
 * environment variables and, when no {@code pg.host} is set, the libpq {@code PG*} ones;
 * {@code -Dusergate.<section>.<key>} system properties ({@code USERGATE_*} variables that name no key are
 * {@link IgnoredVariables}: a warning, not a refusal). The checks (unknown key, type, range, the
 * rules between keys) run on what each layer says, and each message names the key, the value and the
 * layer.
 */
public final class Configuration {

  /** The optional file of local overrides, relative to the working directory. */
  public static final String WORKING_DIRECTORY_FILE = "conf/config.json";

  /** Where the values come from: the launcher passes the real ones, tests their own. */
  public record Sources(String confArgument, Path workingDirectory, Map<String, String> environment,
                        Map<String, String> properties) {
  }

  /**
   * The resolved configuration, for each dotted key the layer its value came from, the layers that set
   * anything, in the order they were applied, and the {@code USERGATE_*} variables that name no key.
   */
  public record Resolved(JsonObject config, Map<String, String> layers, List<String> applied,
                         List<IgnoredVariables.Ignored> ignored) {

    /** The layers that changed anything, lowest first, for the start log. */
    public String describe() {
      return String.join(" < ", applied);
    }

    /** A warning for each deprecated key a layer set, naming the key that replaces it. */
    public List<String> deprecations() {
      return ConfigKeys.DEPRECATED.entrySet().stream()
        .filter(old -> !DEFAULTS.equals(layers.get(old.getKey())))
        .map(old -> old.getKey() + " (set by " + layers.get(old.getKey()) + ") is deprecated and goes in the next release: "
          + "use " + old.getValue() + " (see docs/configuration.md)")
        .sorted().toList();
    }

    /** One line per key: its value (secrets masked) and its layer, for {@code --print-config}. */
    public String table() {
      StringBuilder out = new StringBuilder();
      for (ConfigKey key : ConfigKeys.ALL) {
        Object value = config.getJsonObject(key.section()).getValue(key.name());
        String shown = value == null ? "" : key.secret() ? "********" : String.valueOf(value);
        out.append(String.format("%-36s %-28s %s%n", key.dotted(), shown, layers.get(key.dotted())));
      }
      if (!ignored.isEmpty()) {
        out.append(String.format("%nignored (the environment's USERGATE_* variables that name no key):%n"));
        for (IgnoredVariables.Ignored variable : ignored) {
          out.append(String.format("  %s%s%n", variable.variable(),
            variable.suggestion() == null ? "" : "   did you mean " + variable.suggestion() + "?"));
        }
      }
      return out.toString();
    }
  }

  private static final String DEFAULTS = "built-in default";

  /** The usual libpq variables, honoured when no layer sets {@code pg.host}. */
  private static final Map<String, String> LIBPQ_VARIABLES = Map.of(
    "PGHOST", "host", "PGPORT", "port", "PGDATABASE", "database", "PGUSER", "user", "PGPASSWORD", "password");

  private Configuration() {
  }

  /** The built-in defaults alone, resolved: for tests and tools. */
  public static JsonObject defaults() {
    return load(new Sources(null, null, Map.of(), Map.of())).config();
  }

  /** The defaults with {@code overrides} (sections of keys, as in a file) on top, checked. */
  public static JsonObject withOverrides(JsonObject overrides) {
    Merge merge = new Merge(List.of());
    merge.file(overrides, "the overrides");
    return merge.finish().config();
  }

  public static Resolved load(Sources sources) {
    Merge merge = new Merge(IgnoredVariables.in(sources.environment()));
    if (sources.workingDirectory() != null) {
      Path file = sources.workingDirectory().resolve(WORKING_DIRECTORY_FILE);
      if (Files.exists(file)) {
        merge.file(readFile(file, file.toString()), file.toString());
      }
    }
    if (sources.confArgument() != null) {
      String argument = sources.confArgument().trim();
      if (argument.startsWith("{")) {
        merge.file(parse(argument, "the -conf argument"), "-conf (inline JSON)");
      } else {
        Path file = sources.workingDirectory() == null ? Path.of(argument) : sources.workingDirectory().resolve(argument);
        merge.file(readFile(file, "-conf " + argument), "-conf " + argument);
      }
    }
    merge.environment(sources.environment());
    merge.properties(sources.properties());
    return merge.finish();
  }

  private static JsonObject readFile(Path file, String layer) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new InvalidConfigException(layer + ": cannot read " + file.toAbsolutePath() + " (" + e.getClass().getSimpleName() + ")");
    }
    return parse(text, layer + " (" + file.toAbsolutePath() + ")");
  }

  private static JsonObject parse(String text, String what) {
    try {
      return new JsonObject(text);
    } catch (DecodeException e) {
      throw new InvalidConfigException(what + " is not a JSON object: " + e.getMessage());
    }
  }

  /** The layers applied one after the other onto the defaults. */
  private static final class Merge {

    private final JsonObject config = new JsonObject();
    private final Map<String, String> layers = new LinkedHashMap<>();
    private final List<String> applied = new ArrayList<>();
    private final List<IgnoredVariables.Ignored> ignored;

    Merge(List<IgnoredVariables.Ignored> ignored) {
      this.ignored = ignored;
      for (ConfigKey key : ConfigKeys.ALL) {
        set(key, key.defaultValue(), DEFAULTS);
      }
    }

    void file(JsonObject file, String layer) {
      for (String section : file.fieldNames()) {
        if (!(file.getValue(section) instanceof JsonObject values)) {
          throw new InvalidConfigException(section + " is not a section (an object of keys), in " + layer);
        }
        for (String name : values.fieldNames()) {
          ConfigKey key = ConfigKeys.find(section, name).orElseThrow(() ->
            new InvalidConfigException(section + "." + name + " is not a known key, in " + layer));
          set(key, key.check(values.getValue(name), layer), layer);
        }
      }
    }

    void environment(Map<String, String> environment) {
      for (ConfigKey key : ConfigKeys.ALL) {
        String text = environment.get(key.environmentName());
        if (text != null) {
          set(key, key.check(key.parse(text, key.environmentName()), key.environmentName()), key.environmentName());
        }
      }
      if (config.getJsonObject("pg").getString("host") == null && environment.containsKey("PGHOST")) {
        LIBPQ_VARIABLES.forEach((variable, name) -> {
          ConfigKey key = ConfigKeys.get("pg", name);
          String text = environment.get(variable);
          if (text != null && !environment.containsKey(key.environmentName())) {
            set(key, key.check(key.parse(text, variable), variable), variable);
          }
        });
      }
    }

    void properties(Map<String, String> properties) {
      properties.forEach((property, text) -> {
        String[] parts = property.split("\\.");
        if (parts.length != 3 || !parts[0].equals("usergate") || !ConfigKeys.isSection(parts[1])) {
          return;  // not ours: -Dusergate.basedir and the like
        }
        String layer = "-D" + property;
        ConfigKey key = ConfigKeys.find(parts[1], parts[2]).orElseThrow(() ->
          new InvalidConfigException(parts[1] + "." + parts[2] + " is not a known key, in " + layer));
        set(key, key.check(key.parse(text, layer), layer), layer);
      });
    }

    private void set(ConfigKey key, Object value, String layer) {
      JsonObject section = config.getJsonObject(key.section());
      if (section == null) {
        section = new JsonObject();
        config.put(key.section(), section);
      }
      // A default object (the headers' {}) is one instance: each configuration gets its own copy.
      section.put(key.name(), value instanceof JsonObject object ? object.copy() : value);
      layers.put(key.dotted(), layer);
      if (!applied.contains(layer)) {
        applied.add(layer);
      }
    }

    Resolved finish() {
      applyPreset();
      checkRules();
      return new Resolved(config, layers, applied, ignored);
    }

    /**
     * The preset's keys, under every layer that named them: a key the preset sets takes its value only where
     * the defaults still hold. Its layer is listed just after the defaults.
     */
    private void applyPreset() {
      String preset = config.getJsonObject("upstream").getString("preset");
      if (!Presets.known(preset)) {
        fail("upstream.preset", Presets.unknown(preset));
      }
      if (preset.equals(Presets.NONE)) {
        return;
      }
      String layer = Presets.layer(preset);
      Presets.keys(preset).forEach((dotted, value) -> underLayers(dotted, value, layer));
      // After the preset's own keys: what it derives may read them, and the client's keys from any layer.
      Presets.derived(preset, config.getJsonObject("upstream"))
        .forEach((dotted, value) -> underLayers(dotted, value, layer + " (from upstream.baseUrl)"));
      List<String> presetLayers = applied.stream().filter(name -> name.startsWith(layer)).toList();
      applied.removeAll(presetLayers);
      applied.addAll(applied.indexOf(DEFAULTS) + 1, presetLayers);
    }

    private void underLayers(String dotted, Object value, String layer) {
      if (DEFAULTS.equals(layers.get(dotted))) {
        int dot = dotted.indexOf('.');
        ConfigKey key = ConfigKeys.get(dotted.substring(0, dot), dotted.substring(dot + 1));
        set(key, key.check(value, layer), layer);
      }
    }

    /** The rules between keys, each message naming the layers of the values it read. */
    private void checkRules() {
      JsonObject upstream = config.getJsonObject("upstream");
      String baseUrl = upstream.getString("baseUrl");
      if (baseUrl == null) {
        if (!config.getJsonObject("demo").getBoolean("enabled")) {
          throw new InvalidConfigException("upstream.baseUrl is empty and demo.enabled is false (from "
            + layers.get("demo.enabled") + "): name the upstream directory");
        }
      } else {
        try {
          URI uri = new URI(baseUrl);
          if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new URISyntaxException(baseUrl, "not an http(s) URL with a host");
          }
        } catch (URISyntaxException e) {
          fail("upstream.baseUrl", "\"" + baseUrl + "\" is not an http(s) URL: " + e.getReason());
        }
      }
      JsonObject cluster = config.getJsonObject("cluster");
      if (!List.of(HazelcastConfigs.TCP, HazelcastConfigs.KUBERNETES).contains(cluster.getString("join"))) {
        fail("cluster.join", "\"" + cluster.getString("join") + "\" is neither tcp nor kubernetes");
      }
      // Checked here, not at -cluster: a Deployment with a join that cannot work should not start at all.
      if (cluster.getString("join").equals(HazelcastConfigs.KUBERNETES) && cluster.getString("kubernetesService") == null) {
        fail("cluster.kubernetesService", "is empty while cluster.join is kubernetes (from " + layers.get("cluster.join")
          + "): name the headless Service, e.g. usergate-hazelcast.NAMESPACE.svc.cluster.local");
      }
      if (!upstream.getString("budget").equals("node") && !upstream.getString("budget").equals("cluster")) {
        fail("upstream.budget", "\"" + upstream.getString("budget") + "\" is neither node nor cluster");
      }
      String batchPath = upstream.getString("batchPath");
      if (!batchPath.isBlank()) {
        try {
          UriTemplate.of(batchPath);
        } catch (RuntimeException e) {
          fail("upstream.batchPath", "\"" + batchPath + "\" is not an RFC 6570 template: " + e.getMessage());
        }
        String batchFilter = upstream.getString("batchFilter");
        if (batchFilter != null) {
          if (!batchPath.matches(".*\\{[^}]*\\bfilter\\b[^}]*}.*")) {
            fail("upstream.batchPath", "\"" + batchPath + "\" has no {filter} while upstream.batchFilter is set (from "
              + layers.get("upstream.batchFilter") + "), e.g. /Users{?filter,count}");
          }
          if (!batchFilter.contains("{id}")) {
            fail("upstream.batchFilter", "\"" + batchFilter + "\" has no {id}, e.g. id eq \"{id}\"");
          }
        } else if (!batchPath.matches(".*\\{[^}]*\\bids?\\b[^}]*}.*")) {
          fail("upstream.batchPath", "\"" + batchPath + "\" names neither {id} nor {ids}, e.g. /users{?id*} or /users?ids={ids}");
        }
      } else if (upstream.getString("batchFilter") != null && !layers.get("upstream.batchFilter").startsWith("preset ")) {
        // A preset's filter with its bulk endpoint overridden to none is simply unused.
        fail("upstream.batchFilter", "is set while upstream.batchPath is empty (from " + layers.get("upstream.batchPath")
          + "): name the bulk endpoint with {filter}, e.g. /Users{?filter,count}");
      }
      String logFormat = config.getJsonObject("log").getString("format");
      if (!logFormat.equals("text") && !logFormat.equals("json")) {
        fail("log.format", "\"" + logFormat + "\" is neither text nor json");
      }
      checkListPaging(config.getJsonObject("sync"));
      checkFollow(config.getJsonObject("sync"));
      String userPath = upstream.getString("userPath");
      try {
        UriTemplate.of(userPath);
      } catch (RuntimeException e) {
        fail("upstream.userPath", "\"" + userPath + "\" is not an RFC 6570 template: " + e.getMessage());
      }
      if (!userPath.contains("{id}")) {
        fail("upstream.userPath", "\"" + userPath + "\" has no {id}");
      }
      int windowMs = upstream.getInteger("breakerWindowMs");
      if (windowMs % 1000 != 0) {
        fail("upstream.breakerWindowMs", windowMs + " is not whole seconds: the circuit breaker counts failures per second");
      }
      checkToken(upstream);
      checkMapping(config.getJsonObject("mapping"));
      checkInactive(config.getJsonObject("mapping"), config.getJsonObject("sync"));
      String required = config.getJsonObject("auth").getString("required");
      if (!Access.isRequiredSetting(required)) {
        fail("auth.required", "\"" + required + "\" is none of auto, true, false");
      }
      checkJwtIssuer(config.getJsonObject("auth"));
      String shape = config.getJsonObject("demo").getString("shape");
      List<String> shapes = List.of("plain", "dummyjson", "enveloped", "keycloak", "scim", "okta", "entra", "auth0");
      if (!shapes.contains(shape)) {
        fail("demo.shape", "\"" + shape + "\" is none of " + String.join(", ", shapes));
      }
      JsonObject http = config.getJsonObject("http");
      try {
        Origins.parseAllowList(http.getString("allowedOrigins"));
      } catch (IllegalArgumentException e) {
        fail("http.allowedOrigins", "\"" + http.getString("allowedOrigins") + "\" " + e.getMessage());
      }
      // The documented maximum of ids must fit in a URL: 19 digits and "&ids=" each, and the rest of the line.
      long needed = (long) upstream.getInteger("maxIdsPerRequest") * 24 + 1024;
      if (http.getInteger("maxRequestLineBytes") < needed) {
        fail("http.maxRequestLineBytes", http.getInteger("maxRequestLineBytes") + " cannot hold upstream.maxIdsPerRequest "
          + upstream.getInteger("maxIdsPerRequest") + " (from " + layers.get("upstream.maxIdsPerRequest") + ") ids in a URL; "
          + "it needs at least " + needed);
      }
      checkTls(http, upstream, config.getJsonObject("bridge"));
      int idle = http.getInteger("idleTimeoutMs");
      int request = http.getInteger("requestTimeoutMs");
      // The server closes an idle connection even while one of its requests waits for its answer.
      if (idle != 0 && idle <= request) {
        fail("http.idleTimeoutMs", idle + " is not above http.requestTimeoutMs " + request + " (from "
          + layers.get("http.requestTimeoutMs") + "): a connection waiting that long for its answer would be closed under it");
      }
    }

    /**
     * The walk's list: {@code sync.listPath} a template; {@code sync.listNext} one of the five; a position
     * variable where the walk pages by position (offset, scim), the next page's pointer for url and token, the
     * token's parameter for token.
     */
    private void checkListPaging(JsonObject sync) {
      String listNext = sync.getString("listNext");
      if (!List.of("offset", "link", "url", "token", "scim").contains(listNext)) {
        fail("sync.listNext", "\"" + listNext + "\" is none of offset, link, url, token, scim");
      }
      String listPath = sync.getString("listPath");
      if (listPath.isBlank()) {
        return;
      }
      try {
        UriTemplate.of(listPath);
      } catch (RuntimeException e) {
        fail("sync.listPath", "\"" + listPath + "\" is not an RFC 6570 template: " + e.getMessage());
      }
      // Without a position every page would be the first one, and the walk would never end.
      if ((listNext.equals("offset") || listNext.equals("scim"))
        && !listPath.matches(".*\\{[^}]*\\b(_?skip|offset|_start|first|startIndex|_?page|page0)\\b[^}]*}.*")) {
        fail("sync.listPath", "\"" + listPath + "\" names no position variable (skip, offset, _start, first, startIndex, "
          + "page, _page or page0), e.g. /users{?limit,skip}, /users{?first,max} or /Users{?startIndex,count}");
      }
      String pointer = sync.getString("listNextPointer");
      if ((listNext.equals("url") || listNext.equals("token")) && (pointer == null || pointer.isEmpty())) {
        fail("sync.listNextPointer", "is empty while sync.listNext is " + listNext + " (from " + layers.get("sync.listNext")
          + "): name where the page holds the next " + (listNext.equals("url") ? "URL, e.g. /@odata.nextLink" : "token, e.g. /nextPageToken"));
      }
      if (listNext.equals("token") && sync.getString("listTokenParam").isBlank()) {
        fail("sync.listTokenParam", "is empty while sync.listNext is token (from " + layers.get("sync.listNext")
          + "): name the query parameter that carries the token back, e.g. pageToken");
      }
    }

    /**
     * Following the directory's changes: a delta query or a changed-since list, not both; the changed-since list's
     * {@code {since}}, and a position where it pages by position, as the walk's list.
     */
    private void checkFollow(JsonObject sync) {
      String deltaPath = sync.getString("deltaPath");
      String changedSincePath = sync.getString("changedSincePath");
      if (!deltaPath.isBlank() && !changedSincePath.isBlank()) {
        fail("sync.changedSincePath", "is set (from " + layers.get("sync.changedSincePath") + ") while sync.deltaPath is too (from "
          + layers.get("sync.deltaPath") + "): a directory is followed one way, set one of them empty");
      }
      if (!deltaPath.isBlank()) {
        try {
          UriTemplate.of(deltaPath);
        } catch (RuntimeException e) {
          fail("sync.deltaPath", "\"" + deltaPath + "\" is not an RFC 6570 template: " + e.getMessage());
        }
      }
      if (changedSincePath.isBlank()) {
        return;
      }
      if (!changedSincePath.contains("{since}")) {
        fail("sync.changedSincePath", "\"" + changedSincePath + "\" has no {since}: every poll would list the whole directory");
      }
      try {
        ChangedSince.template(changedSincePath, Instant.EPOCH);
      } catch (RuntimeException e) {
        fail("sync.changedSincePath", "\"" + changedSincePath + "\" is not a template once {since} is set: " + e.getMessage());
      }
      String listNext = sync.getString("listNext");
      if ((listNext.equals("offset") || listNext.equals("scim"))
        && !changedSincePath.matches(".*\\{[^}]*\\b(_?skip|offset|_start|first|startIndex|_?page|page0)\\b[^}]*}.*")) {
        fail("sync.changedSincePath", "\"" + changedSincePath + "\" names no position variable while sync.listNext is " + listNext
          + ", e.g. ...&startIndex={startIndex}&count={limit}");
      }
    }

    /**
     * The token of the directory (client credentials): all of its keys or none. The secret's value is never
     * part of a message.
     */
    private void checkToken(JsonObject upstream) {
      String clientAuth = upstream.getString("clientAuth");
      if (!clientAuth.equals("basic") && !clientAuth.equals("post")) {
        fail("upstream.clientAuth", "\"" + clientAuth + "\" is neither basic nor post");
      }
      boolean id = upstream.getString("clientId") != null;
      boolean secret = upstream.getString("clientSecret") != null;
      if (id != secret) {
        String set = id ? "upstream.clientId" : "upstream.clientSecret";
        fail(id ? "upstream.clientSecret" : "upstream.clientId", "is empty while " + set + " is set (from "
          + layers.get(set) + "): set both, or neither");
      }
      String tokenUrl = upstream.getString("tokenUrl");
      if (tokenUrl == null) {
        for (String key : List.of("clientId", "tokenScope", "tokenAudience")) {
          if (upstream.getString(key) != null) {
            fail("upstream.tokenUrl", "is empty while upstream." + key + " is set (from " + layers.get("upstream." + key)
              + "): name the token endpoint, e.g. https://login.microsoftonline.com/TENANT/oauth2/v2.0/token");
          }
        }
        return;
      }
      try {
        URI uri = new URI(tokenUrl);
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
          throw new URISyntaxException(tokenUrl, "not an absolute http(s) URL with a host");
        }
      } catch (URISyntaxException e) {
        fail("upstream.tokenUrl", "\"" + tokenUrl + "\" is not an http(s) URL: " + e.getReason());
      }
      if (!id) {
        fail("upstream.clientId", "is empty while upstream.tokenUrl is set (from " + layers.get("upstream.tokenUrl")
          + "): set upstream.clientId and upstream.clientSecret");
      }
      // Both would be sent, and which one the directory reads is its business: refuse the ambiguity.
      for (String header : upstream.getJsonObject("headers").fieldNames()) {
        if (header.equalsIgnoreCase("Authorization")) {
          fail("upstream.headers", "sets Authorization while upstream.tokenUrl is set (from " + layers.get("upstream.tokenUrl")
            + "): the token is the Authorization; keep upstream.headers for other headers such as x-api-key");
        }
      }
    }

    /**
     * TLS: a certificate and its key come in pairs (both or neither), each file readable now; the TCP bridge's TLS
     * needs the routes' certificate. The routes' files are read again when they are replaced, so only their
     * presence is checked here (their match is checked at each load).
     */
    private void checkTls(JsonObject http, JsonObject upstream, JsonObject bridge) {
      checkPair("http.tlsCertPath", http.getString("tlsCertPath"), "http.tlsKeyPath", http.getString("tlsKeyPath"));
      checkPair("upstream.tlsCertPath", upstream.getString("tlsCertPath"), "upstream.tlsKeyPath", upstream.getString("tlsKeyPath"));
      for (String key : List.of("http.tlsCertPath", "http.tlsKeyPath", "upstream.tlsCaPath", "upstream.tlsCertPath",
        "upstream.tlsKeyPath")) {
        String path = config.getJsonObject(key.substring(0, key.indexOf('.'))).getString(key.substring(key.indexOf('.') + 1));
        if (path != null && !Files.isReadable(Path.of(path))) {
          fail(key, path + " is not a readable file");
        }
      }
      if (bridge.getBoolean("tcpTls") && http.getString("tlsCertPath") == null) {
        fail("bridge.tcpTls", "is true while http.tlsCertPath is empty (from " + layers.get("http.tlsCertPath")
          + "): the TCP bridge serves the routes' certificate; set http.tlsCertPath and http.tlsKeyPath");
      }
    }

    private void checkPair(String certKey, String cert, String keyKey, String key) {
      if ((cert == null) != (key == null)) {
        String set = cert == null ? keyKey : certKey;
        fail(cert == null ? certKey : keyKey, "is empty while " + set + " is set (from " + layers.get(set)
          + "): a certificate needs its private key; set both, or neither");
      }
    }

    /** Each key's syntax is checked with its type; here, what the keys say together. */
    private void checkMapping(JsonObject mapping) {
      if (mapping.getString("id").isEmpty()) {
        fail("mapping.id", "is empty (the whole user): point at the id's field, e.g. /id");
      }
      String drop = mapping.getString("drop");
      String keep = mapping.getString("keep");
      if (drop != null && keep != null) {
        fail("mapping.keep", "and mapping.drop (from " + layers.get("mapping.drop") + ") are both set: "
          + "keep lists what stays, drop what goes; set one of them");
      }
      if (drop != null) {
        for (JsonPointer pointer : Pointers.list(drop)) {
          if (pointer.toString().equals("/id") || pointer.toString().equals("/name")) {
            fail("mapping.drop", "drops " + pointer + ", which every user needs (the mapped id and name)");
          }
        }
      }
    }

    /** {@code mapping.active} a rule; {@code sync.inactive} keep or remove, and remove only with a rule to apply. */
    private void checkInactive(JsonObject mapping, JsonObject sync) {
      ActiveRule rule = null;
      try {
        rule = ActiveRule.parse(mapping.getString("active"));
      } catch (IllegalArgumentException e) {
        fail("mapping.active", e.getMessage());
      }
      ActiveRule.Inactive inactive = null;
      try {
        inactive = ActiveRule.Inactive.parse(sync.getString("inactive"));
      } catch (IllegalArgumentException e) {
        fail("sync.inactive", e.getMessage());
      }
      if (inactive == ActiveRule.Inactive.REMOVE && rule == null) {
        fail("sync.inactive", "is remove while mapping.active is empty (from " + layers.get("mapping.active")
          + "): say where the directory marks a user inactive, e.g. /active or /status!=DEPROVISIONED");
      }
    }

    /**
     * JWT callers: an http(s) issuer and an audience, both or neither; a caller of {@code auth.callers} without a
     * key is known by its JWTs only, so it needs the issuer.
     */
    private void checkJwtIssuer(JsonObject auth) {
      String issuer = auth.getString("jwtIssuer");
      String audience = auth.getString("jwtAudience");
      if (issuer == null) {
        if (audience != null) {
          fail("auth.jwtIssuer", "is empty while auth.jwtAudience is set (from " + layers.get("auth.jwtAudience")
            + "): name the issuer of the callers' tokens, e.g. https://idp.example/realms/apps");
        }
        Object callers = auth.getValue("callers");
        if (callers instanceof JsonObject named) {
          for (String name : named.fieldNames()) {
            if (named.getValue(name) instanceof JsonObject entry && entry.getValue("keySha256") == null) {
              fail("auth.callers", "caller " + name + " has no keySha256; without a key a caller is known by its JWTs "
                + "only, and auth.jwtIssuer is empty");
            }
          }
        }
        return;
      }
      try {
        URI uri = new URI(issuer);
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
          fail("auth.jwtIssuer", "\"" + issuer + "\" is not an http or https URL");
        }
      } catch (URISyntaxException e) {
        fail("auth.jwtIssuer", "\"" + issuer + "\" is not a URL: " + e.getReason());
      }
      if (audience == null) {
        fail("auth.jwtAudience", "is empty while auth.jwtIssuer is set (from " + layers.get("auth.jwtIssuer")
          + "): a token of the issuer for any other service would pass; name usergate's audience");
      }
    }

    private void fail(String dotted, String problem) {
      int dot = dotted.indexOf('.');
      throw new InvalidConfigException(ConfigKeys.get(dotted.substring(0, dot), dotted.substring(dot + 1)), problem,
        layers.get(dotted));
    }
  }
}
