package io.usergate.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.concurrent.TimeUnit;

/**
 * The bare gate of issue 16, as a process of its own (for its RSS): GET /users/{id} fetched from the
 * directory, parsed, upserted into the mirror, answered; no router, bus, semaphore or cache.
 * Arguments: its port, the directory's port, PostgreSQL's port.
 */
public final class BareGate {

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Vertx vertx = Vertx.vertx();
    HttpClient upstream = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(Integer.parseInt(args[1])), new PoolOptions().setHttp1MaxSize(64));
    Pool pool = PgBuilder.pool().with(new io.vertx.sqlclient.PoolOptions().setMaxSize(8))
      .connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(Integer.parseInt(args[2])).setDatabase("usergate")
        .setUser("postgres"))
      .using(vertx).build();
    vertx.createHttpServer().requestHandler(request -> upstream.request(HttpMethod.GET, request.path())
        .compose(outbound -> outbound.send().compose(response -> response.body()))
        .compose(body -> {
          JsonObject user = body.toJsonObject();
          return pool.preparedQuery("INSERT INTO users (id, name, profile, fetched_at) VALUES ($1, $2, $3::jsonb, now()) "
              + "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, profile = EXCLUDED.profile, fetched_at = now()")
            .execute(Tuple.of(String.valueOf(user.getValue("id")), user.getString("name"), user.encode())).map(user);
        })
        .onSuccess(user -> request.response().putHeader("content-type", "application/json").end(user.toBuffer()))
        .onFailure(failure -> request.response().setStatusCode(502).end()))
      .listen(port, "127.0.0.1").await(10, TimeUnit.SECONDS);
    System.out.println("bare gate: listening on " + port);
  }

  private BareGate() {
  }
}
