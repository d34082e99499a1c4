package io.usergate.web;

import io.usergate.auth.Scope;
import io.usergate.store.StoreAddresses;
import io.usergate.sync.SyncAddresses;
import io.usergate.user.User;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The routes of the sync and its queue: {@code /sync} (status, enqueue), {@code /sync/refresh},
 * {@code /sync/jobs} (a page, retry, discard) and {@code /sync/walk}. Reads need {@code status:read}, writes
 * {@code sync:write}, checked before the body is read (a route of its own: a body handler must come first on a route). The queue's reads and
 * writes go to the store, which owns it; the status, the refresh and the walk to the sync.
 */
final class QueueRoutes {

  private QueueRoutes() {
  }

  static void mount(MethodRoutes routes, Guard guard, BodyHandler body, Relay relay) {
    routes.get("/sync").handler(guard.need(Scope.STATUS_READ)).handler(ctx -> relay.reply(ctx, 200, SyncAddresses.STATUS, new JsonObject()));
    routes.post("/sync").handler(guard.need(Scope.SYNC_WRITE));
    routes.post("/sync/refresh").handler(guard.need(Scope.SYNC_WRITE));
    routes.post("/sync").handler(body).handler(ctx -> relay.reply(ctx, 202, StoreAddresses.JOBS_ENQUEUE,
      new JsonObject().put("ids", Params.jsonBody(ctx, "{\"ids\": [...]}").getValue("ids"))));
    routes.post("/sync/refresh").handler(ctx -> relay.reply(ctx, 202, SyncAddresses.REFRESH, new JsonObject()));
    routes.get("/sync/jobs").handler(guard.need(Scope.STATUS_READ)).handler(ctx -> relay.reply(ctx, 200, StoreAddresses.JOBS_LIST, Params.jobsPage(ctx)));
    routes.post("/sync/jobs/retry").handler(guard.need(Scope.SYNC_WRITE));
    routes.post("/sync/jobs/discard").handler(guard.need(Scope.SYNC_WRITE));
    routes.post("/sync/jobs/retry").handler(body).handler(ctx -> relay.reply(ctx, 202, StoreAddresses.JOBS_RETRY, Params.selection(ctx)));
    routes.post("/sync/jobs/discard").handler(body).handler(ctx -> relay.reply(ctx, 202, StoreAddresses.JOBS_DISCARD, Params.selection(ctx)));
    routes.post("/sync/walk").handler(guard.need(Scope.SYNC_WRITE));
    routes.post("/sync/walk").handler(ctx -> walk(ctx, relay));
  }

  /** 202 when a walk started; 200 when one runs already (the answer says where), and nothing started. */
  private static void walk(RoutingContext ctx, Relay relay) {
    Answers.answer(ctx, relay.request(SyncAddresses.WALK, new JsonObject()), reply -> {
      JsonObject walk = Relay.object(SyncAddresses.WALK, reply.body());
      if (!(walk.getValue("started") instanceof Boolean started)) {
        throw new IllegalStateException(SyncAddresses.WALK + " answered no boolean \"started\": " + User.describe(walk));
      }
      return Relay.json(ctx, started ? 202 : 200).end(walk.toBuffer());
    });
  }
}
