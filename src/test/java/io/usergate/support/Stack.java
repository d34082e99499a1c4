package io.usergate.support;

import io.usergate.demo.DemoDirectoryVerticle;
import io.usergate.fetch.FetchVerticle;
import io.usergate.store.StoreVerticle;
import io.usergate.sync.SyncVerticle;
import io.usergate.web.HttpVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;

/** Deploys the service's verticles in one Vert.x, in main's order, for tests and benchmarks. */
public final class Stack {

  private Stack() {
  }

  /** The demo directory on a free port, made the upstream of {@code config}. */
  public static DemoDirectoryVerticle demoUpstream(Vertx vertx, JsonObject config) throws Exception {
    config.getJsonObject("demo").put("port", 0);
    DemoDirectoryVerticle demo = new DemoDirectoryVerticle();
    vertx.deployVerticle(demo, new DeploymentOptions().setConfig(config)).await(10, TimeUnit.SECONDS);
    config.getJsonObject("upstream").put("baseUrl", "http://127.0.0.1:" + demo.actualPort());
    return demo;
  }

  /** Store, fetch and sync. */
  public static void services(Vertx vertx, JsonObject config) throws Exception {
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    vertx.deployVerticle(new StoreVerticle(), options).await(10, TimeUnit.SECONDS);
    vertx.deployVerticle(new FetchVerticle(), options).await(10, TimeUnit.SECONDS);
    vertx.deployVerticle(new SyncVerticle(), options).await(10, TimeUnit.SECONDS);
  }

  /** Store, fetch, sync and web; returns the web verticle (its port). */
  public static HttpVerticle all(Vertx vertx, JsonObject config) throws Exception {
    services(vertx, config);
    HttpVerticle web = new HttpVerticle();
    vertx.deployVerticle(web, new DeploymentOptions().setConfig(config)).await(10, TimeUnit.SECONDS);
    return web;
  }
}
