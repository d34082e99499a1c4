package io.usergate.config;

import io.usergate.cache.CacheSettings;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigurationTest {

  @TempDir
  Path dir;

  private Configuration.Resolved load(String conf, Map<String, String> environment, Map<String, String> properties) {
    return Configuration.load(new Configuration.Sources(conf, dir, environment, properties));
  }

  private String failure(String conf, Map<String, String> environment, Map<String, String> properties) {
    return assertThrows(InvalidConfigException.class, () -> load(conf, environment, properties)).getMessage();
  }

  private void workingDirectoryFile(String json) throws IOException {
    Files.createDirectories(dir.resolve("conf"));
    Files.writeString(dir.resolve(Configuration.WORKING_DIRECTORY_FILE), json);
  }

  @Test
  @DisplayName("with no file, no -conf, no variable: every key has its built-in default")
  void builtInDefaults() {
    Configuration.Resolved resolved = load(null, Map.of(), Map.of());
    JsonObject config = resolved.config();
    assertEquals(8080, config.getJsonObject("http").getInteger("port"));
    assertEquals("127.0.0.1", config.getJsonObject("http").getString("host"));
    assertNull(config.getJsonObject("pg").getString("host"));
    assertEquals("data/pg", config.getJsonObject("pg").getString("dataDir"));
    assertEquals(1_048_576, config.getJsonObject("upstream").getInteger("maxBodyBytes"));
    assertEquals(10_000, config.getJsonObject("upstream").getInteger("breakerWindowMs"));
    assertEquals(60_000, config.getJsonObject("http").getInteger("idleTimeoutMs"));
    for (ConfigKey key : ConfigKeys.ALL) {
      assertTrue(config.getJsonObject(key.section()).containsKey(key.name()), key.dotted());
      assertEquals("built-in default", resolved.layers().get(key.dotted()));
    }
  }

  @Test
  @DisplayName("layers: conf/config.json < -conf < USERGATE_* < -Dusergate.*, each changing only the keys it names")
  void layers() throws IOException {
    workingDirectoryFile("{\"http\": {\"port\": 1111, \"host\": \"0.0.0.0\"}, \"pg\": {\"maxSize\": 3}}");
    Files.writeString(dir.resolve("override.json"), "{\"http\": {\"port\": 2222}, \"sync\": {\"batchSize\": 7}}");
    Configuration.Resolved resolved = load("override.json",
      Map.of("USERGATE_SYNC_BATCH_SIZE", "8", "USERGATE_PG_DATA_DIR", "/tmp/elsewhere", "UNRELATED", "x"),
      Map.of("usergate.sync.batchSize", "9", "usergate.basedir", "/ignored", "user.dir", "/ignored"));
    JsonObject config = resolved.config();
    assertEquals("0.0.0.0", config.getJsonObject("http").getString("host"));
    assertEquals(2222, config.getJsonObject("http").getInteger("port"));
    assertEquals(3, config.getJsonObject("pg").getInteger("maxSize"));
    assertEquals("/tmp/elsewhere", config.getJsonObject("pg").getString("dataDir"));
    assertEquals(9, config.getJsonObject("sync").getInteger("batchSize"));
    assertEquals(500, config.getJsonObject("http").getInteger("drainDelayMs"), "untouched keys keep their default");
    assertTrue(resolved.layers().get("http.host").endsWith("conf/config.json"), resolved.layers().get("http.host"));
    assertEquals("-conf override.json", resolved.layers().get("http.port"));
    assertEquals("USERGATE_PG_DATA_DIR", resolved.layers().get("pg.dataDir"));
    assertEquals("-Dusergate.sync.batchSize", resolved.layers().get("sync.batchSize"));
    assertEquals("built-in default", resolved.layers().get("http.drainDelayMs"));
  }

  @Test
  @DisplayName("-conf may be inline JSON with one key")
  void inlineConf() {
    assertEquals(7070, load("{\"http\": {\"port\": 7070}}", Map.of(), Map.of()).config().getJsonObject("http").getInteger("port"));
  }

  @Test
  @DisplayName("a -conf that cannot be read or is not JSON stops the start, naming the file")
  void unreadableConf() throws IOException {
    assertTrue(failure("missing.json", Map.of(), Map.of()).contains("missing.json"));
    Files.writeString(dir.resolve("broken.json"), "{\"http\": ");
    String message = failure("broken.json", Map.of(), Map.of());
    assertTrue(message.contains("broken.json") && message.contains("not a JSON object"), message);
  }

  @Test
  @DisplayName("the usual PG* variables name the server when no layer sets pg.host; USERGATE_PG_* wins over them")
  void libpqVariables() {
    JsonObject pg = load(null, Map.of("PGHOST", "pg.internal", "PGPORT", "6543", "PGUSER", "app", "USERGATE_PG_USER", "wins"),
      Map.of()).config().getJsonObject("pg");
    assertEquals("pg.internal", pg.getString("host"));
    assertEquals(6543, pg.getInteger("port"));
    assertEquals("wins", pg.getString("user"));
  }

  @Test
  @DisplayName("a value of the wrong type stops the start, naming the key, the value and its layer")
  void wrongType() throws IOException {
    String message = failure(null, Map.of("USERGATE_HTTP_PORT", "abc"), Map.of());
    assertTrue(message.contains("http.port") && message.contains("\"abc\"") && message.contains("USERGATE_HTTP_PORT"), message);
    message = failure(null, Map.of(), Map.of("usergate.http.port", "x1"));
    assertTrue(message.contains("http.port") && message.contains("\"x1\"") && message.contains("-Dusergate.http.port"), message);
    workingDirectoryFile("{\"pg\": {\"maxSize\": -1}}");
    message = failure(null, Map.of(), Map.of());
    assertTrue(message.contains("pg.maxSize") && message.contains("-1") && message.contains("out of range")
      && message.contains("conf/config.json"), message);
  }

  @Test
  @DisplayName("a key the service does not know (a typo) stops the start, naming it and its layer")
  void unknownKey() {
    String message = failure("{\"http\": {\"prot\": 1}}", Map.of(), Map.of());
    assertTrue(message.contains("http.prot") && message.contains("-conf"), message);
    message = failure(null, Map.of(), Map.of("usergate.http.prot", "1"));
    assertTrue(message.contains("http.prot") && message.contains("-Dusergate.http.prot"), message);
  }

  @Test
  @DisplayName("the rules between keys: the breaker window in whole seconds, the idle timeout above the request timeout")
  void rulesBetweenKeys() {
    String message = failure("{\"upstream\": {\"breakerWindowMs\": 2500}}", Map.of(), Map.of());
    assertTrue(message.contains("upstream.breakerWindowMs") && message.contains("whole seconds"), message);
    message = failure(null, Map.of("USERGATE_HTTP_IDLE_TIMEOUT_MS", "30000"), Map.of());
    assertTrue(message.contains("http.idleTimeoutMs 30000 is not above http.requestTimeoutMs 30000"), message);
    assertTrue(message.contains("USERGATE_HTTP_IDLE_TIMEOUT_MS"), message);
    message = failure(null, Map.of("USERGATE_UPSTREAM_BASE_URL", "ftp://x"), Map.of());
    assertTrue(message.contains("upstream.baseUrl") && message.contains("USERGATE_UPSTREAM_BASE_URL"), message);
  }

  @Test
  @DisplayName("--print-config shows every key with its layer, secrets masked")
  void printedTable() {
    String table = load(null, Map.of("USERGATE_AUTH_TOKEN", "s3cret-token", "USERGATE_PG_PASSWORD", "pw-value"), Map.of()).table();
    assertFalse(table.contains("s3cret-token") || table.contains("pw-value"), table);
    assertTrue(table.lines().anyMatch(line -> line.startsWith("auth.token") && line.contains("********")
      && line.endsWith("USERGATE_AUTH_TOKEN")), table);
    assertEquals(ConfigKeys.ALL.size(), table.lines().count());
  }

  @Test
  @DisplayName("a USERGATE_ variable that names no key does not stop the start: its key keeps its value, and --print-config lists it as ignored, never its value")
  void mistypedVariableIsIgnored() {
    Configuration.Resolved resolved = load(null, Map.of("USERGATE_UPSTREAM_MAX_RATE_PER_SECND", "5", "USERGATE_PG_PASWORD", "pw-value",
      "USERGATE_SERVICE_HOST", "10.0.0.11", "USERGATE_HTTP_PORT", "9090"), Map.of());
    assertEquals(0, resolved.config().getJsonObject("upstream").getInteger("maxRatePerSecond"));
    assertEquals("built-in default", resolved.layers().get("upstream.maxRatePerSecond"));
    assertEquals(9090, resolved.config().getJsonObject("http").getInteger("port"));
    assertEquals(List.of("USERGATE_PG_PASWORD", "USERGATE_UPSTREAM_MAX_RATE_PER_SECND"),
      resolved.ignored().stream().map(IgnoredVariables.Ignored::variable).toList());
    String table = resolved.table();
    List<String> lines = table.lines().toList();
    assertEquals(ConfigKeys.ALL.size() + 4, lines.size(), table);
    assertEquals(List.of("", "ignored (the environment's USERGATE_* variables that name no key):",
      "  USERGATE_PG_PASWORD   did you mean USERGATE_PG_PASSWORD?",
      "  USERGATE_UPSTREAM_MAX_RATE_PER_SECND   did you mean USERGATE_UPSTREAM_MAX_RATE_PER_SECOND?"),
      lines.subList(ConfigKeys.ALL.size(), lines.size()));
    assertFalse(table.contains("pw-value"), table);
  }

  @Test
  @DisplayName("http.allowedOrigins is empty by default and takes comma-separated origins, also from USERGATE_HTTP_ALLOWED_ORIGINS")
  void allowedOrigins() {
    assertEquals("", load(null, Map.of(), Map.of()).config().getJsonObject("http").getString("allowedOrigins"));
    assertEquals("http://app.example:3000, https://admin.example", load(null,
      Map.of("USERGATE_HTTP_ALLOWED_ORIGINS", "http://app.example:3000, https://admin.example"), Map.of())
      .config().getJsonObject("http").getString("allowedOrigins"));
  }

  @Test
  @DisplayName("an http.allowedOrigins entry that is not a scheme://host[:port] origin stops the start, naming the key, the entry and its layer")
  void allowedOriginsNotOrigins() {
    for (String bad : new String[]{"app.example:3000", "http://app.example:3000/", "http://app.example/path", "*",
      "ftp://app.example", "http://app.example:3000,", "http://user@app.example", "http://app.example:70000", "null"}) {
      String message = failure(null, Map.of("USERGATE_HTTP_ALLOWED_ORIGINS", "http://ok.example, " + bad), Map.of());
      assertTrue(message.contains("http.allowedOrigins") && message.contains("USERGATE_HTTP_ALLOWED_ORIGINS"), message);
      assertTrue(message.contains(bad.endsWith(",") ? "empty entry" : "\"" + bad + "\" is not an origin"), message);
    }
  }

  @Test
  @DisplayName("sync.listNext: one of the five; url and token need sync.listNextPointer, token sync.listTokenParam; the position check is for offset and scim")
  void listNext() {
    String unknown = failure(null, Map.of("USERGATE_SYNC_LIST_NEXT", "cursor"), Map.of());
    assertTrue(unknown.contains("sync.listNext") && unknown.contains("none of offset, link, url, token, scim"), unknown);
    String noPointer = failure(null, Map.of("USERGATE_SYNC_LIST_NEXT", "url", "USERGATE_SYNC_LIST_PATH", "/users?$top={limit}"), Map.of());
    assertTrue(noPointer.contains("sync.listNextPointer") && noPointer.contains("USERGATE_SYNC_LIST_NEXT"), noPointer);
    String noParam = failure(null, Map.of("USERGATE_SYNC_LIST_NEXT", "token", "USERGATE_SYNC_LIST_PATH", "/users{?maxResults}",
      "USERGATE_SYNC_LIST_NEXT_POINTER", "/nextPageToken"), Map.of());
    assertTrue(noParam.contains("sync.listTokenParam") && noParam.contains("pageToken"), noParam);
    String scim = failure(null, Map.of("USERGATE_SYNC_LIST_NEXT", "scim", "USERGATE_SYNC_LIST_PATH", "/Users{?count}"), Map.of());
    assertTrue(scim.contains("sync.listPath") && scim.contains("no position variable"), scim);
    // A cursor mode's template is the first page: no position needed.
    assertEquals("link", load(null, Map.of("USERGATE_SYNC_LIST_NEXT", "link", "USERGATE_SYNC_LIST_PATH", "/api/v1/users{?limit}"),
      Map.of()).config().getJsonObject("sync").getString("listNext"));
    assertEquals("/Users{?startIndex,count}", load(null, Map.of("USERGATE_SYNC_LIST_NEXT", "scim", "USERGATE_SYNC_LIST_PATH",
      "/Users{?startIndex,count}"), Map.of()).config().getJsonObject("sync").getString("listPath"));
  }

  @Test
  @DisplayName("a sync.listPath that does not parse, or names no position, stops the start naming the key; a good one is taken")
  void listPath() {
    String broken = failure(null, Map.of("USERGATE_SYNC_LIST_PATH", "/users{?limit,skip"), Map.of());
    assertTrue(broken.contains("sync.listPath") && broken.contains("not an RFC 6570 template"), broken);
    String still = failure(null, Map.of("USERGATE_SYNC_LIST_PATH", "/users{?limit}"), Map.of());
    assertTrue(still.contains("sync.listPath") && still.contains("no position variable"), still);
    for (String good : new String[]{"/users{?limit,skip}", "/users{?_page,_limit}", "/people?offset={offset}&size={limit}",
      "/users{?first,max}", "/users?page={page0}&per_page={per_page}"}) {
      assertEquals(good, load(null, Map.of("USERGATE_SYNC_LIST_PATH", good), Map.of()).config().getJsonObject("sync").getString("listPath"));
    }
  }

  @Test
  @DisplayName("environment names are the key in upper snake case")
  void environmentNames() {
    assertEquals("USERGATE_HTTP_PORT", ConfigKeys.get("http", "port").environmentName());
    assertEquals("USERGATE_UPSTREAM_BASE_URL", ConfigKeys.get("upstream", "baseUrl").environmentName());
    assertEquals("USERGATE_PG_DATA_DIR", ConfigKeys.get("pg", "dataDir").environmentName());
    assertEquals("USERGATE_PG_MAX_WAIT_QUEUE_SIZE", ConfigKeys.get("pg", "maxWaitQueueSize").environmentName());
  }

  @Test
  @DisplayName("upstream.headers: a JSON object from USERGATE_UPSTREAM_HEADERS, a file or -D; masked by --print-config and --help")
  void upstreamHeaders() throws IOException {
    assertEquals(new JsonObject(), load(null, Map.of(), Map.of()).config().getJsonObject("upstream").getJsonObject("headers"));
    Configuration.Resolved fromEnvironment = load(null,
      Map.of("USERGATE_UPSTREAM_HEADERS", "{\"x-api-key\": \"s3cret-api-key\", \"Authorization\": \"Bearer t0ken\"}"), Map.of());
    assertEquals(new JsonObject().put("x-api-key", "s3cret-api-key").put("Authorization", "Bearer t0ken"),
      fromEnvironment.config().getJsonObject("upstream").getJsonObject("headers"));
    assertEquals("USERGATE_UPSTREAM_HEADERS", fromEnvironment.layers().get("upstream.headers"));
    String table = fromEnvironment.table();
    assertFalse(table.contains("s3cret-api-key") || table.contains("t0ken"), table);
    assertTrue(table.lines().anyMatch(line -> line.startsWith("upstream.headers") && line.contains("********")), table);
    workingDirectoryFile("{\"upstream\": {\"headers\": {\"x-api-key\": \"from-file\"}}}");
    assertEquals("from-file", load(null, Map.of(), Map.of()).config().getJsonObject("upstream").getJsonObject("headers")
      .getString("x-api-key"));
    assertEquals("from-property", load(null, Map.of(), Map.of("usergate.upstream.headers", "{\"x-api-key\": \"from-property\"}"))
      .config().getJsonObject("upstream").getJsonObject("headers").getString("x-api-key"));
    assertTrue(ConfigKeys.get("upstream", "headers").secret());
    assertTrue(ConfigKeys.get("demo", "requiredHeaders").secret());
  }

  @Test
  @DisplayName("upstream.headers that are not an object of valid names to string values stop the start, naming the key and never a value")
  void upstreamHeadersRefused() {
    String secret = "s3cret-value";
    Map<String, String> bad = Map.of(
      "{\"x-api-key\": " + secret.length() + "}", "a value that is not a string",
      "{\"x-api-key\": \"" + secret + "\"", "is not a JSON object",
      "[\"" + secret + "\"]", "is not a JSON object",
      "{\"x-api-key: " + secret + "\": \"v\"}", "header 1's name is not an HTTP header name",
      "{\"x-api-key\": \"" + secret + "\\r\\nX-Evil: 1\"}", "a control character",
      "{\"x-api-key\": \"\"}", "an empty value",
      "{\"Host\": \"" + secret + "\"}", "which the HTTP client sets itself",
      "{\"x-api-key\": \"" + secret + "\", \"X-API-Key\": \"" + secret + "\"}", "twice");
    bad.forEach((value, problem) -> {
      String message = failure(null, Map.of("USERGATE_UPSTREAM_HEADERS", value), Map.of());
      assertTrue(message.startsWith("invalid configuration: upstream.headers ") && message.contains(problem)
        && message.endsWith("(from USERGATE_UPSTREAM_HEADERS)"), message);
      assertFalse(message.contains(secret), message);
    });
    String inFile = failure("{\"upstream\": {\"headers\": \"x-api-key: " + secret + "\"}}", Map.of(), Map.of());
    assertTrue(inFile.contains("upstream.headers the value is not a JSON object"), inFile);
    assertFalse(inFile.contains(secret), inFile);
  }

  @Test
  @DisplayName("demo.shape is plain, dummyjson or enveloped")
  void demoShape() {
    assertEquals("dummyjson", load(null, Map.of("USERGATE_DEMO_SHAPE", "dummyjson"), Map.of()).config().getJsonObject("demo")
      .getString("shape"));
    String message = failure(null, Map.of("USERGATE_DEMO_SHAPE", "xml"), Map.of());
    assertTrue(message.contains("demo.shape \"xml\" is none of plain, dummyjson, enveloped") && message.contains("USERGATE_DEMO_SHAPE"),
      message);
  }

  @Test
  @DisplayName("a deprecated cache key still works for a release, and the start log names the key that replaces it")
  void deprecatedCacheKeys() {
    Configuration.Resolved untouched = load(null, Map.of(), Map.of());
    assertEquals(List.of(), untouched.deprecations());
    assertEquals(67_108_864L, CacheSettings.from(untouched.config()).memoryBytes());

    Configuration.Resolved oldBytes = load(null, Map.of("USERGATE_CACHE_STORE_HOT_BYTES", "1000000"), Map.of());
    assertEquals(1_000_000L, CacheSettings.from(oldBytes.config()).memoryBytes());
    assertEquals(1, oldBytes.deprecations().size());
    assertTrue(oldBytes.deprecations().get(0).startsWith("cache.storeHotBytes (set by USERGATE_CACHE_STORE_HOT_BYTES)"), oldBytes.deprecations().toString());
    assertTrue(oldBytes.deprecations().get(0).contains("use cache.memoryBytes"), oldBytes.deprecations().toString());

    Configuration.Resolved both = load(null, Map.of("USERGATE_CACHE_STORE_HOT_BYTES", "1000000"),
      Map.of("usergate.cache.memoryBytes", "2000000", "usergate.cache.hotUsers", "0"));
    assertEquals(0L, CacheSettings.from(both.config()).memoryBytes(), "hotUsers 0 still means no cache");
    assertEquals(List.of("cache.hotUsers", "cache.storeHotBytes"),
      both.deprecations().stream().map(line -> line.substring(0, line.indexOf(' '))).toList());

    Configuration.Resolved newKey = load(null, Map.of("USERGATE_CACHE_STORE_HOT_BYTES", "1000000"),
      Map.of("usergate.cache.memoryBytes", "2000000"));
    assertEquals(2_000_000L, CacheSettings.from(newKey.config()).memoryBytes(), "the new key wins over the old");
  }

  @Test
  @DisplayName("the directory's token: off by default; tokenUrl, clientId and clientSecret from the environment, the secret "
    + "masked by --print-config and in no message; clientAuth basic by default")
  void tokenKeys() {
    JsonObject defaults = load(null, Map.of(), Map.of()).config().getJsonObject("upstream");
    assertNull(defaults.getString("tokenUrl"));
    assertEquals("basic", defaults.getString("clientAuth"));
    String secret = "s3cret-client-secret";
    Configuration.Resolved resolved = load(null, Map.of("USERGATE_UPSTREAM_TOKEN_URL", "https://login.example/oauth2/token",
      "USERGATE_UPSTREAM_CLIENT_ID", "usergate", "USERGATE_UPSTREAM_CLIENT_SECRET", secret,
      "USERGATE_UPSTREAM_TOKEN_AUDIENCE", "https://tenant.example/api/v2/", "USERGATE_UPSTREAM_CLIENT_AUTH", "post"), Map.of());
    JsonObject upstream = resolved.config().getJsonObject("upstream");
    assertEquals(secret, upstream.getString("clientSecret"));
    assertEquals("post", upstream.getString("clientAuth"));
    String table = resolved.table();
    assertFalse(table.contains(secret), table);
    assertTrue(table.lines().anyMatch(line -> line.startsWith("upstream.clientSecret") && line.contains("********")
      && line.endsWith("USERGATE_UPSTREAM_CLIENT_SECRET")), table);
    assertTrue(ConfigKeys.get("upstream", "clientSecret").secret());
  }

  @Test
  @DisplayName("the directory's token stops the start, naming the key and never the secret: a tokenUrl that is no absolute "
    + "http(s) URL, a client id without its secret or the reverse, credentials with no tokenUrl, a clientAuth other than "
    + "basic or post, an Authorization in upstream.headers besides the token")
  void tokenKeysRefused() {
    String secret = "s3cret-client-secret";
    Map<String, String> complete = Map.of("USERGATE_UPSTREAM_TOKEN_URL", "https://login.example/token",
      "USERGATE_UPSTREAM_CLIENT_ID", "usergate", "USERGATE_UPSTREAM_CLIENT_SECRET", secret);
    Map<Map<String, String>, String> bad = Map.of(
      with(complete, "USERGATE_UPSTREAM_TOKEN_URL", "/realms/r/protocol/openid-connect/token"),
      "upstream.tokenUrl \"/realms/r/protocol/openid-connect/token\" is not an http(s) URL",
      with(complete, "USERGATE_UPSTREAM_TOKEN_URL", "ftp://login.example/token"), "upstream.tokenUrl \"ftp://login.example/token\"",
      Map.of("USERGATE_UPSTREAM_TOKEN_URL", "https://login.example/token", "USERGATE_UPSTREAM_CLIENT_ID", "usergate"),
      "upstream.clientSecret is empty while upstream.clientId is set (from USERGATE_UPSTREAM_CLIENT_ID): set both, or neither",
      Map.of("USERGATE_UPSTREAM_TOKEN_URL", "https://login.example/token", "USERGATE_UPSTREAM_CLIENT_SECRET", secret),
      "upstream.clientId is empty while upstream.clientSecret is set",
      Map.of("USERGATE_UPSTREAM_TOKEN_URL", "https://login.example/token"),
      "upstream.clientId is empty while upstream.tokenUrl is set (from USERGATE_UPSTREAM_TOKEN_URL)",
      Map.of("USERGATE_UPSTREAM_CLIENT_ID", "usergate", "USERGATE_UPSTREAM_CLIENT_SECRET", secret),
      "upstream.tokenUrl is empty while upstream.clientId is set (from USERGATE_UPSTREAM_CLIENT_ID)",
      with(complete, "USERGATE_UPSTREAM_CLIENT_AUTH", "jwt"), "upstream.clientAuth \"jwt\" is neither basic nor post",
      with(complete, "USERGATE_UPSTREAM_HEADERS", "{\"authorization\": \"Bearer x\"}"),
      "upstream.headers sets Authorization while upstream.tokenUrl is set");
    bad.forEach((environment, problem) -> {
      String message = failure(null, environment, Map.of());
      assertTrue(message.contains(problem), message);
      assertFalse(message.contains(secret), message);
    });
    // API keys stay in upstream.headers beside the token.
    assertEquals("k", load(null, with(complete, "USERGATE_UPSTREAM_HEADERS", "{\"x-api-key\": \"k\"}"), Map.of()).config()
      .getJsonObject("upstream").getJsonObject("headers").getString("x-api-key"));
  }

  private static Map<String, String> with(Map<String, String> environment, String variable, String value) {
    Map<String, String> changed = new HashMap<>(environment);
    changed.put(variable, value);
    return changed;
  }
  @Test
  @DisplayName("auth.callers is checked at start: bad hex, an unknown scope, a bad pointer, an unknown entry stop it with a "
    + "message naming the key and the caller; auth.required is auto, true or false")
  void callersAreChecked() {
    String hash = "a".repeat(64);
    Map<String, String> bad = Map.of(
      "{\"billing\": {\"keySha256\": \"xyz\", \"scopes\": \"users:read\"}}", "caller billing: keySha256 is not 64 hex digits",
      "{\"billing\": {\"keySha256\": \"" + hash + "\", \"scopes\": \"users:write\"}}", "caller billing: unknown scope \"users:write\"",
      "{\"billing\": {\"keySha256\": \"" + hash + "\", \"scopes\": \"users:read\", \"fields\": \"id,/name\"}}",
      "caller billing: \"id\" is not a JSON pointer",
      "{\"billing\": {\"keySha256\": \"" + hash + "\", \"scopes\": \"users:read\", \"field\": \"/id\"}}",
      "caller billing has an unknown entry \"field\"",
      "{\"billing\": {\"keySha256\": \"" + hash + "\"}}", "caller billing: scopes is missing",
      "{\"anonymous\": {\"keySha256\": \"" + hash + "\", \"scopes\": \"users:read\"}}", "usergate uses that name itself",
      "{\"a b\": {\"keySha256\": \"" + hash + "\", \"scopes\": \"users:read\"}}", "names a caller that is not");
    bad.forEach((value, problem) -> {
      String message = failure(null, Map.of("USERGATE_AUTH_CALLERS", value), Map.of());
      assertTrue(message.startsWith("invalid configuration: auth.callers ") && message.contains(problem)
        && message.endsWith("(from USERGATE_AUTH_CALLERS)"), message);
    });
    String required = failure(null, Map.of("USERGATE_AUTH_REQUIRED", "yes"), Map.of());
    assertTrue(required.contains("auth.required") && required.contains("auto, true, false"), required);
  }

  @Test
  @DisplayName("TLS: a certificate without its key (or the other way round) stops the start naming the missing key; so does an unreadable file, and bridge.tcpTls without a certificate")
  void tlsPairs() throws IOException {
    Path cert = Files.writeString(dir.resolve("server.crt"), "not checked here: read and matched at each load");
    String message = failure("{\"http\": {\"tlsCertPath\": \"" + cert + "\"}}", Map.of(), Map.of());
    assertTrue(message.startsWith("invalid configuration: http.tlsKeyPath is empty while http.tlsCertPath is set (from -conf"), message);
    message = failure(null, Map.of("USERGATE_UPSTREAM_TLS_KEY_PATH", cert.toString()), Map.of());
    assertTrue(message.startsWith("invalid configuration: upstream.tlsCertPath is empty while upstream.tlsKeyPath is set (from "
      + "USERGATE_UPSTREAM_TLS_KEY_PATH"), message);
    message = failure(null, Map.of("USERGATE_UPSTREAM_TLS_CA_PATH", dir.resolve("missing-ca.crt").toString()), Map.of());
    assertTrue(message.startsWith("invalid configuration: upstream.tlsCaPath " + dir.resolve("missing-ca.crt") + " is not a readable file"),
      message);
    message = failure("{\"bridge\": {\"tcpTls\": true}}", Map.of(), Map.of());
    assertTrue(message.startsWith("invalid configuration: bridge.tcpTls is true while http.tlsCertPath is empty"), message);
    JsonObject http = load(null, Map.of("USERGATE_HTTP_TLS_CERT_PATH", cert.toString(), "USERGATE_HTTP_TLS_KEY_PATH", cert.toString()),
      Map.of()).config().getJsonObject("http");
    assertEquals(cert.toString(), http.getString("tlsCertPath"));
  }
}
