package io.usergate.fetch;

import io.usergate.config.Configuration;
import io.usergate.error.UsergateException;
import io.usergate.user.User;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** An {@link Upstream} built from an {@code upstream} section and used on the one context it is confined to, as the fetch verticle's is. */
final class ConfinedUpstream {

  private final Vertx vertx;
  private final Context context;
  private UpstreamSettings settings;
  private Upstream upstream;

  ConfinedUpstream(Vertx vertx) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
  }

  /** Builds the upstream from {@code section} (the configuration's {@code upstream} keys), closing the one before. */
  void connect(JsonObject section) throws Exception {
    if (upstream != null) {
      Upstream before = upstream;
      on(before::close);
    }
    JsonObject config = Configuration.withOverrides(new JsonObject().put("upstream", section));
    settings = UpstreamSettings.from(config);
    upstream = on(() -> Future.succeededFuture(new Upstream(vertx, settings, Mapping.from(config))));
  }

  Upstream upstream() {
    return upstream;
  }

  UpstreamSettings settings() {
    return settings;
  }

  /** {@code work} on the upstream's context, its result awaited. */
  <T> T on(Supplier<Future<T>> work) throws Exception {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> work.get().onComplete(done));
    return done.future().await(20, TimeUnit.SECONDS);
  }

  Future<User> fetch(long id) {
    return upstream.fetchUser(Long.toString(id), null, new Cancellation(), System.nanoTime() + TimeUnit.SECONDS.toNanos(10))
      .map(Fetched::user);
  }

  /** The failure of fetching user {@code id}. */
  UsergateException failure(long id) throws Exception {
    return assertInstanceOf(UsergateException.class, on(() -> fetch(id).transform(done -> Future.succeededFuture(done.cause()))));
  }
}
