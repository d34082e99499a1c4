package io.usergate.web;

import io.usergate.HeaderNames;
import io.usergate.auth.Caller;
import io.usergate.auth.Projection;
import io.usergate.auth.Quotas;
import io.usergate.auth.Scope;
import io.usergate.bus.SharedJsonCodec;
import io.usergate.cache.CacheSettings;
import io.usergate.cache.Freshness;
import io.usergate.cache.UserCache;
import io.usergate.cache.Validators;
import io.usergate.config.StartFailure;
import io.usergate.error.ErrorCode;
import io.usergate.fetch.FetchAddresses;
import io.usergate.fetch.FetchMessages;
import io.usergate.log.RequestIds;
import io.usergate.metrics.Metrics;
import io.usergate.store.StoreAddresses;
import io.usergate.store.StoreMessages;
import io.usergate.user.UserId;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.LoggerFormat;
import io.vertx.ext.web.handler.LoggerHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The HTTP edge: routes, the SockJS bridge, health and metrics. It holds no business logic: it
 * validates input, sends a bus message, and maps the reply or the failure to HTTP ({@link WebErrors}).
 * Browser pages of other origins than its own and those of {@code http.allowedOrigins} are refused
 * ({@link OriginPolicy}).
 * Configuration: {@link WebSettings}.
 */
public class HttpVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);
  /** How often the TLS files are read again: a replaced certificate is served within 10 s, as promised. */
  static final long TLS_RELOAD_CHECK_MS = 2000;

  private HttpServer server;
  private Router router;
  private TcpEventBusBridge tcpBridge;
  private WebSettings settings;
  private Relay relay;
  private Guard guard;
  private UserCache cache;
  /** The hits of GET /users/{id}, answered here by the fetch room's rule. */
  private Freshness freshness;
  private volatile boolean shuttingDown;
  /** http.tlsCertPath: the node's certificate, null without TLS; the pair this instance's server serves. */
  private ServerCertificate certificate;
  private ServerCertificate.Pair served;
  private ServerSSLOptions sslOptions;
  private long reloadTimer = -1;
  private boolean reloading;
  /** Request ids: unique to this verticle instance (cluster-wide), numbered within it. */
  private final String requestIdPrefix = UUID.randomUUID() + "-";
  private long requests;

  /** The API's documents, then the router, then the bridges, then the server: started means it listens. */
  @Override
  public Future<?> start() {
    SharedJsonCodec.register(vertx);
    settings = WebSettings.from(config());
    // The web verticle serves /metrics: the names it serves follow Prometheus's conventions.
    Metrics.registry().ifPresent(Metrics::conventional);
    relay = new Relay(vertx.eventBus(), SharedJsonCodec.requestOptions(vertx).setSendTimeout(settings.requestTimeoutMs()));
    CacheSettings cacheSettings = CacheSettings.from(config());
    freshness = Freshness.of(cacheSettings);
    // The node's user cache, for the hits; fetch's answers go in it (fetch may run on another node).
    cache = UserCache.of(vertx, cacheSettings);
    guard = Guard.of(vertx, settings);
    Future<Void> changes = vertx.eventBus().consumer(StoreAddresses.USER_CHANGED, message -> cache.changed(message.body())).completion();
    Future<ServerCertificate.Pair> tls = Future.succeededFuture();
    if (settings.tls()) {
      certificate = ServerCertificate.of(vertx, settings.tlsCertPath(), settings.tlsKeyPath());
      tls = certificate.first(vertx);
    }
    return Future.all(changes, tls, ApiDocs.load(vertx)).compose(ready -> {
      router = router(guard, ready.resultAt(2));
      return tcpBridge(guard).compose(bridged -> listen(router, ready.resultAt(1)));
    }).onSuccess(listening -> {
      if (certificate != null) {
        reloadTimer = vertx.setPeriodic(TLS_RELOAD_CHECK_MS, tick -> reloadCertificate());
      }
    });
  }

  /**
   * The node's certificate read again; when it changed, this instance's server serves it to new connections
   * (forced: the paths are the same, the bytes are not). Open connections keep theirs.
   */
  private void reloadCertificate() {
    if (reloading || shuttingDown) {
      return;
    }
    reloading = true;
    certificate.refresh(vertx).compose(pair -> {
      if (pair == served) {
        return Future.succeededFuture();
      }
      return server.updateSSLOptions(sslOptions.copy().setKeyCertOptions(pair.options()), true)
        .onSuccess(updated -> served = pair);
    }).onComplete(done -> {
      reloading = false;
      if (done.failed()) {
        LOG.warn("web: the TLS certificate could not be updated ({}); the one before is served", done.cause().getMessage());
      }
    });
  }

  private Router router(Guard guard, ApiDocs docs) {
    Router router = Router.router(vertx);
    // First of all, the request's id: every answer carries it, errors included, and so does every log line.
    router.route().handler(ctx -> {
      String id = RequestIds.saneOrNew(ctx.request().getHeader(HeaderNames.HTTP_REQUEST_ID));
      RequestIds.set(id);
      ctx.response().putHeader(HeaderNames.HTTP_REQUEST_ID, id);
      ctx.next();
    });
    // Then who is calling: the access log names it; each route checks its scope.
    router.route().handler(guard::identify);
    // Every answer counted by its caller (usergate_caller_requests_total), refusals included.
    router.route().handler(new CallerRequests());
    if (settings.accessLog()) {
      router.route().handler(LoggerHandler.create(LoggerFormat.CUSTOM).customFormatter(HttpVerticle::accessLine));
    }
    // Then the caller's quota, hits included: a request over it is 429 before any route runs. No caller with a
    // quota, no check on the way of every request.
    if (settings.callers().stream().anyMatch(keyed -> keyed.caller().ratePerSecond() > 0)) {
      router.route().handler(new QuotaCheck(Quotas.of(vertx)));
    }
    // Then, the SockJS subrouter included: a page of another origin gets 403 before anything runs.
    router.route().handler(new OriginPolicy(settings.allowedOrigins()));
    router.route().handler(HttpVerticle::rejectTraversal);
    BodyHandler body = BodyHandler.create().setBodyLimit(settings.maxBodyBytes());
    MethodRoutes routes = new MethodRoutes(router);
    routes.get("/health/started").handler(HealthCheckHandler.createWithHealthChecks(Health.startup(vertx, settings.healthTimeoutMs())));
    routes.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(Health.liveness(vertx)));
    routes.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(
      Health.readiness(vertx, settings.healthTimeoutMs(), () -> shuttingDown)));
    routes.get("/metrics").handler(guard.metrics()).handler(PrometheusScrapingHandler.create());
    docs.mount(routes);

    routes.get("/users/:id").handler(guard.need(Scope.USERS_READ)).handler(this::fetchOne);
    routes.get("/users").handler(guard.need(Scope.USERS_READ)).handler(this::fetchMany);
    routes.post("/users/batch").handler(guard.need(Scope.USERS_READ));
    routes.post("/users/batch").handler(body).handler(this::fetchBatch);
    routes.get("/store/users/:id").handler(guard.need(Scope.MIRROR_READ)).handler(this::storedOne);
    routes.get("/store/users").handler(guard.need(Scope.MIRROR_READ)).handler(this::storedPage);
    StatusReport status = new StatusReport(relay);
    routes.get("/status").handler(guard.need(Scope.STATUS_READ)).handler(ctx -> Answers.answer(ctx, status.build(), report -> Relay.json(ctx, 200).end(report.toBuffer())));
    routes.get("/changes").handler(guard.need(Scope.MIRROR_READ)).handler(ctx -> relay.reply(ctx, 200, StoreAddresses.CHANGES_READ,
      Params.changesPage(ctx), shown(ctx, Projection::changes)));
    QueueRoutes.mount(routes, guard, body, relay);
    // The SockJS transports that POST frames (xhr_send, jsonp_send) read them through a body handler.
    router.post("/eventbus/*").handler(BodyHandler.create(false).setBodyLimit(settings.maxBodyBytes()));
    router.route("/eventbus/*").subRouter(Bridges.sockJs(vertx, guard.access()));
    // The dashboard's page and files hold no data, so they are open: a browser cannot send a key with a
    // navigation. Its figures come from routes that need status:read; the page asks for a key for them.
    routes.get("/*").handler(StaticHandler.create("webroot"));
    routes.refuseOtherMethods();

    router.route().failureHandler(WebErrors::handle);
    router.errorHandler(404, WebErrors::handle);
    router.errorHandler(405, WebErrors::handle);
    return router;
  }

  /** The TCP event-bus bridge, when {@code bridge.tcpPort} is set. */
  private Future<?> tcpBridge(Guard guard) {
    Integer port = settings.bridgeTcpPort();
    if (port == null) {
      return Future.succeededFuture();
    }
    NetServerOptions options = new NetServerOptions();
    if (settings.bridgeTcpTls()) {
      // The bridge has no updateSSLOptions: its key manager answers with the node's current pair instead.
      options.setSsl(true).setKeyCertOptions(KeyCertOptions.wrap(certificate.keyManager()));
    }
    return Bridges.tcp(vertx, guard.access(), options).listen(port, settings.host())
      .recover(failure -> StartFailure.bind("bridge.tcpPort", settings.host(), port, failure))
      .onSuccess(bridge -> {
        tcpBridge = bridge;
        LOG.info("web: TCP event-bus bridge on {}:{}{}", settings.host(), port, settings.bridgeTcpTls() ? " (TLS)" : "");
      });
  }

  private Future<HttpServer> listen(Router router, ServerCertificate.Pair pair) {
    HttpServerOptions options = new HttpServerOptions()
      // Long enough for the documented maximum of ids in a URL (checked against upstream.maxIdsPerRequest).
      .setMaxInitialLineLength(settings.maxRequestLineBytes())
      // A connection that sends and receives nothing for this long (an idle keep-alive, half a request)
      // is closed; without it such connections were kept forever.
      .setIdleTimeout(settings.idleTimeoutMs())
      .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    if (pair != null) {
      // HTTPS, and HTTP/2 for the clients that ask for it by ALPN (HTTP/1.1 for the others).
      options.setSsl(true).setUseAlpn(true).setKeyCertOptions(pair.options());
      sslOptions = options.getSslOptions().copy();
      served = pair;
    }
    return vertx.createHttpServer(options)
      .requestHandler(router)
      .invalidRequestHandler(WebErrors::invalidRequest)
      .listen(settings.port(), settings.host())
      .recover(failure -> StartFailure.bind("http.port", settings.host(), settings.port(), failure))
      .onSuccess(listening -> {
        server = listening;
        LOG.info("web: listening on {}://{}:{}/", pair == null ? "http" : "https", settings.host(), listening.actualPort());
      });
  }

  /**
   * Readiness turns 503 first; after {@code http.drainDelayMs} (for load balancers to notice) the
   * server stops accepting, and requests in flight get {@code http.shutdownGraceMs} to finish.
   */
  @Override
  public Future<?> stop() {
    shuttingDown = true;
    if (reloadTimer != -1) {
      vertx.cancelTimer(reloadTimer);
    }
    Future<Void> jwts = guard == null ? Future.succeededFuture() : guard.close(vertx);
    if (server == null) {
      return jwts;
    }
    LOG.info("web: not ready any more; stopping in {} ms, then {} ms for requests in flight", settings.drainDelayMs(),
      settings.shutdownGraceMs());
    return vertx.timer(Math.max(1, settings.drainDelayMs()), TimeUnit.MILLISECONDS)
      .compose(drained -> Future.join(server.shutdown(settings.shutdownGraceMs(), TimeUnit.MILLISECONDS),
        tcpBridge == null ? Future.succeededFuture() : tcpBridge.close(), jwts));
  }

  /** The access log's line: Vert.x's short format, and the caller's name (never anything the request chose). */
  private static String accessLine(RoutingContext ctx, long ms) {
    return String.format("%s - %s %s %s %d %d - %d ms caller=%s", ctx.request().remoteAddress() == null ? "-"
        : ctx.request().remoteAddress().host(), ctx.request().method(), ctx.request().uri(), switch (ctx.request().version()) {
          case HTTP_1_0 -> "HTTP/1.0";
          case HTTP_1_1 -> "HTTP/1.1";
          case HTTP_2 -> "HTTP/2.0";
        },
      ctx.response().getStatusCode(), ctx.response().bytesWritten(), ms, Guard.callerName(ctx));
  }

  /** The router, for the contract test: every route it holds must be in openapi.yaml. */
  Router router() {
    return router;
  }

  /** The port the server listens on (useful with {@code http.port} 0). */
  public int actualPort() {
    return server.actualPort();
  }

  /**
   * A hit of the node's cache (fresh for the caller by the cache's rule) is answered here, crossing no bus;
   * anything else asks fetch, which fills the cache as it answers.
   */
  private void fetchOne(RoutingContext ctx) {
    String id = UserId.parse(ctx.pathParam("id"), "the user id");
    Freshness.Directives directives = CacheDirectives.parse(ctx.request().getHeader(HttpHeaders.CACHE_CONTROL));
    UserCache.Cached copy = cache.get(id);
    if (copy != null) {
      Instant now = Instant.now();
      if (freshness.judge(copy.ageMs(now), directives) == Freshness.Verdict.HIT) {
        freshness.count(Freshness.Verdict.HIT);
        answerUser(ctx, FetchMessages.OneReply.MEMORY, copy, "hit", now);
        return;
      }
    }
    long stamp = cache.stamp();
    FetchMessages.One request = new FetchMessages.One(id, directives, true, cancelWhenClientLeaves(ctx), Guard.callerName(ctx));
    Answers.answer(ctx, relay.request(FetchAddresses.ONE, request.toJson()), message -> {
      FetchMessages.OneReply reply = FetchMessages.OneReply.fromMessage(message);
      // What fetch answered is what it just put in the cache, encoded once there: its bytes and validators.
      UserCache.Cached kept = cache.get(id);
      if (kept == null || !kept.fetchedAt().equals(reply.fetchedAt())) {
        // Fetch answered from another node (its cache is that node's): kept here too, unless it is the mirror's
        // stale copy (not fresh for anyone) or a change of the user came while the request was on its way.
        kept = reply.freshEnoughToKeep() ? cache.offer(id, reply.user(), reply.fetchedAt(), stamp) : null;
      }
      if (kept != null && kept.fetchedAt().equals(reply.fetchedAt())) {
        return answerUser(ctx, reply.source(), kept, reply.cacheStatus(), Instant.now());
      }
      Buffer encoded = reply.user().toBuffer();
      String fetchedAt = reply.fetchedAt() == null ? null : reply.fetchedAt().toString();
      return answerUser(ctx, reply.source(), fetchedAt, response -> CacheHeaders.apply(response, ctx.request().headers(),
        encoded, fetchedAt, reply.cacheStatus(), Instant.now()), encoded);
    });
  }

  /** A cached user's 200 (or 304), with the validators the cache keeps for it. */
  private static Future<Void> answerUser(RoutingContext ctx, String source, UserCache.Cached copy, String cacheStatus,
                                         Instant now) {
    return answerUser(ctx, source, copy.fetchedAtText(), response -> CacheHeaders.apply(response, ctx.request().headers(),
      copy.etag(), copy.fetchedAt(), copy.lastModified(), cacheStatus, now), copy.encoded());
  }

  /** A user's 200, or its 304 when {@code cacheHeaders} (which sets them) says the caller's copy is current. */
  private static Future<Void> answerUser(RoutingContext ctx, String source, String fetchedAt,
                                         Predicate<HttpServerResponse> cacheHeaders, Buffer user) {
    HttpServerResponse response = Relay.json(ctx, 200).putHeader(HeaderNames.HTTP_SOURCE, source);
    if (fetchedAt != null) {
      response.putHeader(HeaderNames.HTTP_FETCHED_AT, fetchedAt);
    }
    boolean current = cacheHeaders.test(response);
    Caller caller = Guard.caller(ctx);
    if (caller.projects()) {
      // The cache keeps the whole user; this caller's part of it is its own answer: its own validator,
      // and no shared cache may keep it for another caller.
      user = new Projection(caller.fields()).user(new JsonObject(user)).toBuffer();
      String etag = Validators.etag(user);
      response.putHeader(HttpHeaders.ETAG, etag).putHeader(HttpHeaders.CACHE_CONTROL, "private");
      current = CacheHeaders.matches(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH), etag);
    }
    if (current) {
      response.setStatusCode(304).headers().remove(HttpHeaders.CONTENT_TYPE);
      return response.end();
    }
    return response.end(user);
  }

  /** {@code ?ids=1,2,3} or {@code ?ids=1&ids=2}; the fetch verticle checks the count. */
  private void fetchMany(RoutingContext ctx) {
    manyReply(ctx, new JsonObject().put("ids", Params.ids(ctx)).put("mode", ctx.queryParams().get("mode")));
  }

  /** {@code {"ids": [...], "mode": ...}}: for lists that do not belong in a URL. */
  private void fetchBatch(RoutingContext ctx) {
    manyReply(ctx, Params.jsonBody(ctx, "{\"ids\": [...], \"mode\": \"all\" | \"settled\"}"));
  }

  /** The request checked here, where it enters; the count, which is the fetch verticle's limit, there. */
  private void manyReply(RoutingContext ctx, JsonObject body) {
    FetchMessages.Many asked = FetchMessages.Many.fromJson(body, Integer.MAX_VALUE);
    // The caller as identified here, never a name the request carries: its share of the directory is by it.
    FetchMessages.Many request = new FetchMessages.Many(asked.ids(), asked.settled(),
      CacheDirectives.parse(ctx.request().getHeader(HttpHeaders.CACHE_CONTROL)), true, cancelWhenClientLeaves(ctx),
      Guard.callerName(ctx));
    relay.reply(ctx, 200, FetchAddresses.MANY, request.toJson(), shown(ctx, Projection::answer));
  }

  /** The mirror's copy: from the node's cache (no bus hop, no SQL), or from the store, which keeps it there. */
  private void storedOne(RoutingContext ctx) {
    String id = UserId.parse(ctx.pathParam("id"), "the user id");
    UserCache.Cached cached = cache.get(id);
    if (cached != null) {
      answerStored(ctx, cached.encoded(), cached.fetchedAtText(), "memory");
      return;
    }
    Answers.answer(ctx, relay.request(StoreAddresses.GET, new StoreMessages.Get(id).toJson()), reply -> {
      // Read before answering: a copy without its fetch time is a bug of the store (500).
      StoreMessages.Stored stored = StoreMessages.Stored.fromMessage(reply);
      return answerStored(ctx, stored.user().toBuffer(), stored.fetchedAt().toString(), "store");
    });
  }

  /** The mirror's copy, found in the node's cache or answered by the store ({@code source}). */
  private static Future<Void> answerStored(RoutingContext ctx, Buffer encoded, String fetchedAt, String source) {
    Caller caller = Guard.caller(ctx);
    if (caller.projects()) {
      encoded = new Projection(caller.fields()).user(new JsonObject(encoded)).toBuffer();
      ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "private");
    }
    return Relay.json(ctx, 200).putHeader(HeaderNames.HTTP_SOURCE, source).putHeader(HeaderNames.HTTP_FETCHED_AT, fetchedAt)
      .end(encoded);
  }

  private void storedPage(RoutingContext ctx) {
    relay.reply(ctx, 200, StoreAddresses.LIST, Params.afterAndLimit(ctx), shown(ctx, Projection::answer));
  }

  /** What the request's caller may see of an answer: all of it, or what {@code part} keeps of it by its fields. */
  private static UnaryOperator<JsonObject> shown(RoutingContext ctx, BiFunction<Projection, JsonObject, JsonObject> part) {
    Caller caller = Guard.caller(ctx);
    if (!caller.projects()) {
      return UnaryOperator.identity();
    }
    Projection projection = new Projection(caller.fields());
    return answer -> part.apply(projection, answer);
  }

  /**
   * Names the request, and tells the fetch verticle to cancel it if the client goes away before its
   * answer: its upstream calls are reset and those still queued never start.
   */
  private String cancelWhenClientLeaves(RoutingContext ctx) {
    String requestId = requestIdPrefix + (++requests);
    ctx.response().closeHandler(closed -> {
      if (!ctx.response().ended()) {
        vertx.eventBus().publish(FetchAddresses.CANCEL, new FetchMessages.Cancel(requestId).toJson());
      }
    });
    return requestId;
  }

  /** Encoded dots or slashes in a path are never legitimate here: refuse them before any route. */
  private static void rejectTraversal(RoutingContext ctx) {
    String path = ctx.request().path();
    // Nearly every path holds neither: spare them the lower-casing (it showed in the live path's profile).
    if (path.indexOf('%') < 0 && path.indexOf("..") < 0) {
      ctx.next();
      return;
    }
    String raw = path.toLowerCase(Locale.ROOT);
    if (raw.contains("%2e") || raw.contains("%2f") || raw.contains("%5c") || raw.contains("/../") || raw.endsWith("/..")) {
      ctx.fail(ErrorCode.BAD_REQUEST.error("the path may not hold encoded or relative segments"));
    } else {
      ctx.next();
    }
  }
}
