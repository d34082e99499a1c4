package io.usergate.directories;

import io.usergate.support.InProcessService;
import io.usergate.support.ScimServer;
import io.usergate.support.Sql;
import io.usergate.support.TestConfig;
import io.usergate.support.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Conditional revalidation against the real SCIM 2.0 server ({@link ScimServer}: Express answers 304 to a
 * GET whose If-None-Match names the resource's {@code meta.version}). The SCIM preset reads in bulk through
 * its filter, which has no ETag; here the bulk endpoint is off, so that each user is read alone.
 */
class ScimRevalidationTest {

  private static ScimServer scim;
  private static InProcessService service;

  @BeforeAll
  static void start() throws Exception {
    scim = ScimServer.get();
    scim.reset();
    TestDatabase.execute("TRUNCATE users", "TRUNCATE sync_jobs", "TRUNCATE user_changes");
    service = new InProcessService(Vertx.vertx());
    JsonObject config = TestConfig.fromEnvironment(Map.of("USERGATE_UPSTREAM_PRESET", "scim",
      "USERGATE_UPSTREAM_BASE_URL", scim.baseUrl(),
      "USERGATE_UPSTREAM_HEADERS", new JsonObject().put("Authorization", scim.authorization()).encode(),
      "USERGATE_SYNC_INTERVAL_MS", "3600000"));
    config.getJsonObject("upstream").put("batchPath", "").put("writeThroughMinIntervalMs", 0);
    TestConfig.withCache(config, 60_000L);
    service.deploy(config);
  }

  @AfterAll
  static void stop() throws Exception {
    service.close();
    scim.reset();
  }

  private static HttpResponse<Buffer> refresh(String id) throws Exception {
    return service.client.get(service.port(), "127.0.0.1", "/users/" + id).putHeader("Cache-Control", "no-cache")
      .send().await(30, TimeUnit.SECONDS);
  }

  private static String stored(String id) {
    return Sql.text("SELECT profile::text || ' ' || coalesce(upstream_etag, '-') FROM users WHERE id = '" + id + "'");
  }

  private static String fetchedAt(String id) {
    return Sql.text("SELECT fetched_at::text FROM users WHERE id = '" + id + "'");
  }

  @Test
  @DisplayName("the server's meta.version is kept as the ETag; a revalidation gets 304 (fetched_at alone moves); a user changed on the server gets 200 with the new ETag")
  void revalidation() throws Exception {
    String id = scim.allUsers().get(5).getString("id");
    String version = scim.user(id).getJsonObject("meta").getString("version");
    assertNotNull(version, "the server gives each user a version");

    assertEquals(200, service.get("/users/" + id).statusCode());
    Sql.awaitCount("SELECT count(*) FROM users WHERE id = '" + id + "' AND upstream_etag = '" + version.replace("'", "''") + "'", 1, 10_000);
    String before = stored(id);
    String fetchedBefore = fetchedAt(id);

    HttpResponse<Buffer> revalidated = refresh(id);
    assertEquals(200, revalidated.statusCode(), revalidated.bodyAsString());
    assertEquals("usergate; fwd=request; fwd-status=304", revalidated.getHeader("Cache-Status"));
    Sql.awaitCount("SELECT count(*) FROM users WHERE id = '" + id + "' AND fetched_at > '" + fetchedBefore + "'", 1, 10_000);
    assertEquals(before, stored(id), "the same content and ETag");
    assertEquals(1, Sql.count("SELECT count(*) FROM user_changes WHERE user_id = '" + id + "'"), "only its creation");

    String newVersion = scim.replaceName(id, "Renée", "Ölund").getJsonObject("meta").getString("version");
    assertNotEquals(version, newVersion);
    HttpResponse<Buffer> changed = refresh(id);
    assertEquals("usergate; fwd=request", changed.getHeader("Cache-Status"));
    Sql.awaitCount("SELECT count(*) FROM users WHERE id = '" + id + "' AND upstream_etag = '" + newVersion.replace("'", "''") + "'", 1, 10_000);
    JsonObject now = new JsonObject(Sql.text("SELECT profile::text FROM users WHERE id = '" + id + "'"));
    assertEquals(changed.bodyAsJsonObject(), now, "the new content stored");
    assertEquals(newVersion, now.getJsonObject("meta").getString("version"));
    assertEquals(1, Sql.count("SELECT count(*) FROM user_changes WHERE user_id = '" + id + "' AND kind = 'updated'"));
  }
}
