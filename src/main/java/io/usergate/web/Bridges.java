package io.usergate.web;

import io.usergate.fetch.FetchAddresses;
import io.usergate.store.StoreAddresses;
import io.usergate.sync.SyncAddresses;
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

import java.util.List;
import java.util.Set;

/**
 * What clients outside the JVM may do on the event bus: the permitted addresses, and the token rule for
 * writes. Everything else is denied ({@code access_denied}); a write without the token is rejected.
 */
public final class Bridges {

  /** Addresses a bridge client may send to. */
  public static final List<String> INBOUND = List.of(FetchAddresses.ONE, FetchAddresses.MANY, StoreAddresses.GET,
    StoreAddresses.LIST, StoreAddresses.CHANGES_READ, SyncAddresses.STATUS, StoreAddresses.JOBS_ENQUEUE, SyncAddresses.WALK,
    StoreAddresses.JOBS_LIST, StoreAddresses.JOBS_RETRY, StoreAddresses.JOBS_DISCARD);

  /** Addresses a bridge client may listen to. */
  public static final List<String> OUTBOUND = List.of(SyncAddresses.PROGRESS, StoreAddresses.USER_CHANGED);

  /** Inbound addresses that change state: only with {@code headers.Authorization = "Bearer <token>"}. */
  public static final Set<String> WRITES = Set.of(StoreAddresses.JOBS_ENQUEUE, SyncAddresses.WALK, StoreAddresses.JOBS_RETRY,
    StoreAddresses.JOBS_DISCARD);

  private Bridges() {
  }

  /** The SockJS bridge, to mount at {@code /eventbus/*}. */
  static Router sockJs(Vertx vertx, BearerAuth auth) {
    SockJSBridgeOptions options = new SockJSBridgeOptions();
    INBOUND.forEach(address -> options.addInboundPermitted(new PermittedOptions().setAddress(address)));
    OUTBOUND.forEach(address -> options.addOutboundPermitted(new PermittedOptions().setAddress(address)));
    return SockJSHandler.create(vertx).bridge(options, event -> event.complete(allowed(event, auth)));
  }

  /**
   * The TCP bridge (4-byte length + JSON frames), for clients that speak neither HTTP nor SockJS; over TLS when
   * {@code serverOptions} say so.
   */
  static TcpEventBusBridge tcp(Vertx vertx, BearerAuth auth, NetServerOptions serverOptions) {
    BridgeOptions options = new BridgeOptions();
    INBOUND.forEach(address -> options.addInboundPermitted(new PermittedOptions().setAddress(address)));
    OUTBOUND.forEach(address -> options.addOutboundPermitted(new PermittedOptions().setAddress(address)));
    return TcpEventBusBridge.create(vertx, options, serverOptions, event -> event.complete(allowed(event, auth)));
  }

  /**
   * The frame's shape and the token rule, checked before anything is delivered. A frame whose
   * {@code headers} is not an object is refused ({@code rejected}): the bridge would otherwise fail on it
   * with a cast and leave the client waiting for an answer that never comes.
   */
  static boolean allowed(BaseBridgeEvent event, BearerAuth auth) {
    JsonObject message = event.getRawMessage();
    if (message == null) {
      return true;
    }
    Object headers = message.getValue("headers");
    if (headers != null && !(headers instanceof JsonObject)) {
      return false;
    }
    boolean write = event.type() == BridgeEventType.SEND || event.type() == BridgeEventType.PUBLISH;
    if (!write || !WRITES.contains(message.getValue("address"))) {
      return true;
    }
    Object authorization = headers == null ? null : ((JsonObject) headers).getValue("Authorization");
    return auth.accepts(authorization instanceof String text ? text : null);
  }
}
