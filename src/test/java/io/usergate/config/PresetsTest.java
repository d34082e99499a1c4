package io.usergate.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** upstream.preset: a layer of key values just above the defaults, under every other layer. */
class PresetsTest {

  @TempDir
  Path dir;

  private Configuration.Resolved load(String conf, Map<String, String> environment) {
    return Configuration.load(new Configuration.Sources(conf, dir, environment, Map.of()));
  }

  @Test
  @DisplayName("every preset resolves with only its base URL (and, where it takes tokens, a client): its keys pass every check")
  void everyPresetResolves() {
    for (String preset : Presets.names()) {
      Map<String, String> environment = new HashMap<>(Map.of("USERGATE_UPSTREAM_PRESET", preset,
        "USERGATE_UPSTREAM_BASE_URL", preset.equals("keycloak") ? "https://sso.example/admin/realms/acme" : "https://directory.example/base"));
      if (!preset.equals("okta") && !preset.equals("scim")) {
        environment.putAll(Map.of("USERGATE_UPSTREAM_CLIENT_ID", "usergate", "USERGATE_UPSTREAM_CLIENT_SECRET", "s3cret"));
        if (!preset.equals("keycloak") && !preset.equals("auth0")) {
          environment.put("USERGATE_UPSTREAM_TOKEN_URL", "https://login.example/token");
        }
      }
      Configuration.Resolved resolved = load(null, environment);
      for (Map.Entry<String, Object> key : Presets.keys(preset).entrySet()) {
        int dot = key.getKey().indexOf('.');
        assertEquals(key.getValue(), resolved.config().getJsonObject(key.getKey().substring(0, dot)).getValue(key.getKey().substring(dot + 1)),
          preset + " " + key.getKey());
        assertEquals("preset " + preset, resolved.layers().get(key.getKey()), preset + " " + key.getKey());
      }
    }
  }

  @Test
  @DisplayName("--print-config names the preset's layer on each key it sets; the layers are listed defaults < preset < the rest")
  void printConfigShowsTheLayer() {
    Configuration.Resolved resolved = load(null, Map.of("USERGATE_UPSTREAM_PRESET", "scim",
      "USERGATE_UPSTREAM_BASE_URL", "https://scim.example/scim/v2"));
    String table = resolved.table();
    assertTrue(table.lines().anyMatch(line -> line.startsWith("upstream.userPath") && line.contains("/Users/{id}")
      && line.endsWith("preset scim")), table);
    assertTrue(table.lines().anyMatch(line -> line.startsWith("mapping.email") && line.endsWith("preset scim")), table);
    assertTrue(table.lines().anyMatch(line -> line.startsWith("upstream.preset") && line.endsWith("USERGATE_UPSTREAM_PRESET")), table);
    assertTrue(table.lines().anyMatch(line -> line.startsWith("http.port") && line.endsWith("built-in default")), table);
    assertEquals("built-in default < preset scim < USERGATE_UPSTREAM_PRESET", resolved.describe().replace(" < USERGATE_UPSTREAM_BASE_URL", ""));
  }

  @Test
  @DisplayName("any key a preset sets is overridden by a file, the environment or a property, and shows that layer")
  void overridesBeatThePreset() throws IOException {
    Files.writeString(dir.resolve("keycloak.json"), "{\"upstream\": {\"preset\": \"keycloak\"}, \"mapping\": {\"name\": \"{/username}\"}}");
    Configuration.Resolved resolved = Configuration.load(new Configuration.Sources("keycloak.json", dir,
      Map.of("USERGATE_UPSTREAM_BASE_URL", "https://kc.example/admin/realms/r", "USERGATE_SYNC_LIST_PAGE_SIZE", "500"),
      Map.of("usergate.mapping.email", "{/attributes/mail/0}")));
    JsonObject config = resolved.config();
    assertEquals("{/username}", config.getJsonObject("mapping").getString("name"));
    assertEquals("-conf keycloak.json", resolved.layers().get("mapping.name"));
    assertEquals(500, config.getJsonObject("sync").getInteger("listPageSize"));
    assertEquals("USERGATE_SYNC_LIST_PAGE_SIZE", resolved.layers().get("sync.listPageSize"));
    assertEquals("{/attributes/mail/0}", config.getJsonObject("mapping").getString("email"));
    assertEquals("-Dusergate.mapping.email", resolved.layers().get("mapping.email"));
    assertEquals("{/username}", config.getJsonObject("mapping").getString("username"), "what no layer overrides stays the preset's");
    assertEquals("preset keycloak", resolved.layers().get("mapping.username"));
  }

  @Test
  @DisplayName("a key set to its default value by a layer still beats the preset: the layer named it")
  void explicitDefaultBeatsThePreset() {
    Configuration.Resolved resolved = load(null, Map.of("USERGATE_UPSTREAM_PRESET", "scim",
      "USERGATE_UPSTREAM_BASE_URL", "https://scim.example/scim/v2", "USERGATE_UPSTREAM_BATCH_PATH", ""));
    assertEquals("", resolved.config().getJsonObject("upstream").getString("batchPath"));
    assertEquals("preset scim", resolved.layers().get("upstream.batchFilter"), "the preset's filter, unused, is no refusal");
  }

  @Test
  @DisplayName("Keycloak's and Auth0's token endpoint (and Auth0's audience) come from the base URL once a client is named")
  void derivedFromTheBaseUrl() {
    Map<String, String> client = Map.of("USERGATE_UPSTREAM_CLIENT_ID", "usergate", "USERGATE_UPSTREAM_CLIENT_SECRET", "s3cret");
    Map<String, String> keycloak = new HashMap<>(client);
    keycloak.putAll(Map.of("USERGATE_UPSTREAM_PRESET", "keycloak", "USERGATE_UPSTREAM_BASE_URL", "https://sso.example:8443/admin/realms/acme"));
    Configuration.Resolved resolved = load(null, keycloak);
    assertEquals("https://sso.example:8443/realms/acme/protocol/openid-connect/token",
      resolved.config().getJsonObject("upstream").getString("tokenUrl"));
    assertEquals("preset keycloak (from upstream.baseUrl)", resolved.layers().get("upstream.tokenUrl"));

    Map<String, String> auth0 = new HashMap<>(client);
    auth0.putAll(Map.of("USERGATE_UPSTREAM_PRESET", "auth0", "USERGATE_UPSTREAM_BASE_URL", "https://acme.eu.auth0.com/api/v2/"));
    JsonObject upstream = load(null, auth0).config().getJsonObject("upstream");
    assertEquals("https://acme.eu.auth0.com/oauth/token", upstream.getString("tokenUrl"));
    assertEquals("https://acme.eu.auth0.com/api/v2/", upstream.getString("tokenAudience"));
    assertEquals("post", upstream.getString("clientAuth"));

    auth0.put("USERGATE_UPSTREAM_TOKEN_AUDIENCE", "https://acme.eu.auth0.com/api/v2/custom/");
    assertEquals("https://acme.eu.auth0.com/api/v2/custom/", load(null, auth0).config().getJsonObject("upstream").getString("tokenAudience"));

    JsonObject noClient = load(null, Map.of("USERGATE_UPSTREAM_PRESET", "keycloak",
      "USERGATE_UPSTREAM_BASE_URL", "https://sso.example/admin/realms/acme")).config().getJsonObject("upstream");
    assertNull(noClient.getString("tokenUrl"), "no client: no token endpoint (upstream.headers may carry a credential)");
  }

  @Test
  @DisplayName("an unknown preset stops the start, naming the known ones and the nearest")
  void unknownPreset() {
    String message = assertThrows(InvalidConfigException.class,
      () -> load(null, Map.of("USERGATE_UPSTREAM_PRESET", "keycloack"))).getMessage();
    assertTrue(message.contains("upstream.preset"), message);
    assertTrue(message.contains("USERGATE_UPSTREAM_PRESET"), message);
    assertTrue(message.contains("did you mean keycloak?"), message);
    assertTrue(message.contains("none, jsonplaceholder, dummyjson, keycloak, scim, okta, entra, auth0"), message);
  }

  @Test
  @DisplayName("a filter for the bulk read needs {filter} in upstream.batchPath and {id} in itself")
  void batchFilterRules() {
    String noFilter = assertThrows(InvalidConfigException.class, () -> load(null, Map.of("USERGATE_UPSTREAM_BATCH_PATH", "/Users{?count}",
      "USERGATE_UPSTREAM_BATCH_FILTER", "id eq \"{id}\""))).getMessage();
    assertTrue(noFilter.contains("upstream.batchPath") && noFilter.contains("{filter}"), noFilter);
    String noId = assertThrows(InvalidConfigException.class, () -> load(null, Map.of("USERGATE_UPSTREAM_BATCH_PATH", "/Users{?filter}",
      "USERGATE_UPSTREAM_BATCH_FILTER", "id eq \"x\""))).getMessage();
    assertTrue(noId.contains("upstream.batchFilter") && noId.contains("{id}"), noId);
    String noPath = assertThrows(InvalidConfigException.class, () -> load(null, Map.of(
      "USERGATE_UPSTREAM_BATCH_FILTER", "id eq \"{id}\""))).getMessage();
    assertTrue(noPath.contains("upstream.batchFilter") && noPath.contains("batchPath is empty"), noPath);
  }
}
