package io.usergate.web;

import io.usergate.auth.Access;
import io.usergate.auth.Caller;
import io.usergate.auth.Quotas;
import io.usergate.auth.Scope;
import io.usergate.error.UsergateException;
import io.usergate.fetch.FetchAddresses;
import io.usergate.store.StoreAddresses;
import io.usergate.sync.SyncAddresses;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServerOptions;
import io.vertx.ext.bridge.BaseBridgeEvent;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What clients outside the JVM may do on the event bus: the permitted addresses, and the scope each one
 * needs of the caller whose credential a frame carries in its {@code headers} ({@code Authorization:
 * Bearer <key>} or {@code X-API-Key}). Everything else is denied ({@code access_denied}). A refused request
 * is answered once, on its reply address, with the error of the routes (401, 403), and carries no user data;
 * a refused frame without a reply address gets the bridge's own {@code err}. A caller with {@code fields}
 * sees only those of each user here too ({@link BridgeProjection}).
 */
public final class Bridges {

  private static final Logger LOG = LoggerFactory.getLogger(Bridges.class);

  /** Addresses a bridge client may send to, and the scope each needs. */
  static final Map<String, Scope> INBOUND_SCOPES = Map.ofEntries(
    Map.entry(FetchAddresses.ONE, Scope.USERS_READ), Map.entry(FetchAddresses.MANY, Scope.USERS_READ),
    Map.entry(StoreAddresses.GET, Scope.MIRROR_READ), Map.entry(StoreAddresses.LIST, Scope.MIRROR_READ),
    Map.entry(StoreAddresses.CHANGES_READ, Scope.MIRROR_READ),
    Map.entry(SyncAddresses.STATUS, Scope.STATUS_READ), Map.entry(StoreAddresses.JOBS_LIST, Scope.STATUS_READ),
    Map.entry(StoreAddresses.JOBS_ENQUEUE, Scope.SYNC_WRITE), Map.entry(SyncAddresses.WALK, Scope.SYNC_WRITE),
    Map.entry(StoreAddresses.JOBS_RETRY, Scope.SYNC_WRITE), Map.entry(StoreAddresses.JOBS_DISCARD, Scope.SYNC_WRITE));

  /** Addresses a bridge client may listen to, and the scope each needs. */
  static final Map<String, Scope> OUTBOUND_SCOPES = Map.of(SyncAddresses.PROGRESS, Scope.STATUS_READ,
    StoreAddresses.USER_CHANGED, Scope.MIRROR_READ);

  /** Addresses a bridge client may send to. */
  public static final List<String> INBOUND = List.of(FetchAddresses.ONE, FetchAddresses.MANY, StoreAddresses.GET,
    StoreAddresses.LIST, StoreAddresses.CHANGES_READ, SyncAddresses.STATUS, StoreAddresses.JOBS_ENQUEUE, SyncAddresses.WALK,
    StoreAddresses.JOBS_LIST, StoreAddresses.JOBS_RETRY, StoreAddresses.JOBS_DISCARD);

  /** Addresses a bridge client may listen to. */
  public static final List<String> OUTBOUND = List.of(SyncAddresses.PROGRESS, StoreAddresses.USER_CHANGED);

  /** Inbound addresses that change state: only for a caller with {@code sync:write}. */
  public static final Set<String> WRITES = Set.of(StoreAddresses.JOBS_ENQUEUE, SyncAddresses.WALK, StoreAddresses.JOBS_RETRY,
    StoreAddresses.JOBS_DISCARD);

  /** The frame's headers that carry a credential: checked here, never passed on to the bus. */
  private static final Set<String> CREDENTIALS = Set.of("authorization", "x-api-key");

  private Bridges() {
  }

  /** What the bridge does with a frame once usergate has looked at it. */
  enum Verdict {
    /** The bridge goes on with it. */
    DELIVER,
    /** The bridge refuses it with its own {@code err}: the one answer of a frame without a reply address. */
    REFUSE,
    /** usergate answered it, or carries it itself: the bridge must add nothing, not even a refusal of its own. */
    HANDLED;

    void settle(Promise<Boolean> event) {
      switch (this) {
        case DELIVER -> event.complete(true);
        case REFUSE -> event.complete(false);
        // Left pending on purpose: both bridges act on a frame only once its event completes.
        case HANDLED -> { }
      }
    }
  }

  /** The SockJS bridge, to mount at {@code /eventbus/*}. */
  static Router sockJs(Vertx vertx, Access access) {
    SockJSBridgeOptions options = new SockJSBridgeOptions();
    INBOUND.forEach(address -> options.addInboundPermitted(new PermittedOptions().setAddress(address)));
    OUTBOUND.forEach(address -> options.addOutboundPermitted(new PermittedOptions().setAddress(address)));
    BridgeProjection projection = new BridgeProjection(vertx, BridgeProjection.MAX_IN_FLIGHT);
    Quotas quotas = Quotas.of(vertx);
    return SockJSHandler.create(vertx).bridge(options, event -> {
      if (event.type() == BridgeEventType.SOCKET_CLOSED || event.type() == BridgeEventType.SOCKET_ERROR) {
        projection.closed(event.socket());
      }
      settle(event, judge(event, access, quotas, BridgeWire.sockJs(event.socket()), projection));
    });
  }

  /**
   * The TCP bridge (4-byte length + JSON frames), for clients that speak neither HTTP nor SockJS; over TLS when
   * {@code serverOptions} say so.
   */
  static TcpEventBusBridge tcp(Vertx vertx, Access access, NetServerOptions serverOptions) {
    BridgeOptions options = new BridgeOptions();
    INBOUND.forEach(address -> options.addInboundPermitted(new PermittedOptions().setAddress(address)));
    OUTBOUND.forEach(address -> options.addOutboundPermitted(new PermittedOptions().setAddress(address)));
    BridgeProjection projection = new BridgeProjection(vertx, BridgeProjection.MAX_IN_FLIGHT);
    Quotas quotas = Quotas.of(vertx);
    return TcpEventBusBridge.create(vertx, options, serverOptions,
      event -> settle(event, judge(event, access, quotas, BridgeWire.tcp(event.socket()), projection)));
  }

  /**
   * Settles the bridge's event with the verdict; a verdict that failed (a defect of ours) refuses the frame rather
   * than leave its client waiting.
   */
  private static void settle(BaseBridgeEvent event, Future<Verdict> verdict) {
    verdict.onComplete(done -> {
      if (done.failed()) {
        LOG.warn("web: a bridge frame ({}) could not be judged, refused: {}", event.type(), done.cause().toString());
      }
      (done.succeeded() ? done.result() : Verdict.REFUSE).settle(event);
    });
  }

  /** An {@code unregister} of a registration usergate carries ends there; every other frame is {@link #allowed}'s. */
  static Future<Verdict> judge(BaseBridgeEvent event, Access access, Quotas quotas, BridgeWire wire, BridgeProjection projection) {
    if (event.type() == BridgeEventType.UNREGISTER && event.getRawMessage() != null
      && event.getRawMessage().getValue("address") instanceof String address) {
      return Future.succeededFuture(projection.unregister(wire, address));
    }
    return allowed(event, access, quotas, wire, projection);
  }

  /**
   * The frame's shape and its caller's scope, checked before anything is delivered. A frame whose
   * {@code headers} is not an object is refused ({@code rejected}): the bridge would otherwise fail on it
   * with a cast and leave the client waiting for an answer that never comes. A refused request with a
   * reply address gets its error there, as a bus failure (code and error JSON), and nothing else. A frame that
   * needs a scope takes from its caller's quota ({@code ratePerSecond}, shared with its HTTP requests): beyond
   * it, 429. A caller with {@code fields} has its users' frames carried by {@code projection}. A JWT seen
   * first may wait for the issuer's keys: the verdict is a future (it never fails).
   */
  static Future<Verdict> allowed(BaseBridgeEvent event, Access access, Quotas quotas, BridgeWire wire,
                                 BridgeProjection projection) {
    JsonObject message = event.getRawMessage();
    if (message == null) {
      return Future.succeededFuture(Verdict.DELIVER);
    }
    Object headers = message.getValue("headers");
    if (headers != null && !(headers instanceof JsonObject)) {
      return Future.succeededFuture(Verdict.REFUSE);
    }
    Scope scope = scopeOf(event.type(), message.getValue("address"));
    if (scope == null) {
      // Not ours to judge: a reply, a ping, or an address the bridge denies itself.
      return Future.succeededFuture(Verdict.DELIVER);
    }
    return access.identify((JsonObject) headers).transform(identified -> Future.succeededFuture(
      allowed(event, message, (JsonObject) headers, scope, identified, quotas, wire, projection)));
  }

  /**
   * The rest of {@link #allowed(BaseBridgeEvent, Access, Quotas, BridgeWire, BridgeProjection)} once the frame's
   * caller is known, or refused.
   */
  private static Verdict allowed(BaseBridgeEvent event, JsonObject message, JsonObject headers, Scope scope,
                                 AsyncResult<Caller> identified, Quotas quotas, BridgeWire wire, BridgeProjection projection) {
    Caller caller;
    try {
      caller = Access.caller(identified);
      Access.require(caller, scope);
      Quotas.Exceeded exceeded = quotas.take(caller);
      if (exceeded != null) {
        throw exceeded.error();
      }
    } catch (UsergateException refused) {
      if (message.getValue("replyAddress") instanceof String replyAddress) {
        // Its one answer: the bridge's own refusal would follow it.
        wire.failure(replyAddress, refused);
        return Verdict.HANDLED;
      }
      return Verdict.REFUSE;
    }
    if (headers != null) {
      // The key stays here: the bridge would otherwise pass it on as a header of the bus message.
      headers.fieldNames().removeIf(name -> CREDENTIALS.contains(name.toLowerCase(Locale.ROOT)));
    }
    Object address = message.getValue("address");
    if ((FetchAddresses.ONE.equals(address) || FetchAddresses.MANY.equals(address)) && message.getValue("body") instanceof JsonObject body) {
      // The caller as the bridge identified it, never the name a frame carries: its share of the directory is by it.
      body.put(FetchAddresses.CALLER, caller.name());
    }
    if (caller.projects() && (scope == Scope.USERS_READ || scope == Scope.MIRROR_READ)) {
      // The bridges pass replies and events on as they come: this caller's are carried and projected by usergate.
      return projection.carry(event.type(), wire, message, caller);
    }
    return Verdict.DELIVER;
  }

  /** The scope a frame needs, or null when it needs none of ours. */
  private static Scope scopeOf(BridgeEventType type, Object address) {
    return switch (type) {
      case SEND, PUBLISH -> INBOUND_SCOPES.get(address);
      case REGISTER -> OUTBOUND_SCOPES.get(address);
      default -> null;
    };
  }
}
