package io.usergate.support;

import io.usergate.MainVerticle;
import io.usergate.demo.DemoDirectoryVerticle;
import io.usergate.fetch.FetchVerticle;
import io.usergate.store.StoreVerticle;
import io.usergate.sync.SyncVerticle;
import io.usergate.web.HttpVerticle;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Deploys the service's verticles in one Vert.x, in main's order and each with main's slice of the
 * configuration ({@link MainVerticle#configFor}), so tests see what production sees.
 */
public final class Stack {

  private Stack() {
  }

  /** The demo directory on a free port, made the upstream of {@code config}. */
  public static DemoDirectoryVerticle demoUpstream(Vertx vertx, JsonObject config) throws Exception {
    config.getJsonObject("demo").put("port", 0);
    DemoDirectoryVerticle demo = new DemoDirectoryVerticle();
    deploy(vertx, MainVerticle.DEMO, demo, config);
    // The shape's base path too (/admin/realms/demo for keycloak ...): what an operator sets as upstream.baseUrl.
    config.getJsonObject("upstream").put("baseUrl", demo.baseUrl());
    return demo;
  }

  /** The demo directory alone on a free port, with no latency: {@code users} users and {@code settings} (demo.*) on top. */
  public static DemoDirectoryVerticle demo(Vertx vertx, int users, JsonObject settings) throws Exception {
    JsonObject config = TestConfig.forTests();
    config.getJsonObject("demo").put("port", 0).put("users", users).put("latencyMs", 0).put("jitterMs", 0).mergeIn(settings);
    DemoDirectoryVerticle demo = new DemoDirectoryVerticle();
    vertx.deployVerticle(demo, new DeploymentOptions().setConfig(config)).await(10, TimeUnit.SECONDS);
    return demo;
  }

  /** Store, fetch and sync; returns their deployment ids, in that order (undeploy them in reverse, as main does). */
  public static List<String> services(Vertx vertx, JsonObject config) throws Exception {
    return List.of(
      deploy(vertx, MainVerticle.STORE, new StoreVerticle(), config),
      deploy(vertx, MainVerticle.FETCH, new FetchVerticle(), config),
      deploy(vertx, MainVerticle.SYNC, new SyncVerticle(), config));
  }

  /** Store, fetch, sync and web; returns the web verticle (its port). */
  public static HttpVerticle all(Vertx vertx, JsonObject config) throws Exception {
    services(vertx, config);
    HttpVerticle web = new HttpVerticle();
    deploy(vertx, MainVerticle.WEB, web, config);
    return web;
  }

  /** Closes {@code vertx} and waits, if a test got as far as making it (an {@code @AfterEach}/{@code @AfterAll}). */
  public static void close(Vertx vertx) throws Exception {
    if (vertx != null) {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** One verticle, with main's slice of {@code config} for it. */
  public static String deploy(Vertx vertx, String child, Deployable verticle, JsonObject config) throws Exception {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(MainVerticle.configFor(child, config)))
      .await(10, TimeUnit.SECONDS);
  }
}
