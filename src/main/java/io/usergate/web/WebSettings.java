package io.usergate.web;

import io.usergate.auth.ApiKeys;
import io.usergate.config.Section;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** What the web verticle reads of the configuration: its sections {@code http}, {@code auth}, {@code health}, {@code bridge}. */
record WebSettings(String host, int port, int shutdownGraceMs, int drainDelayMs, int maxBodyBytes, int requestTimeoutMs,
                   int idleTimeoutMs, int maxRequestLineBytes, String allowedOrigins, String token,
                   List<ApiKeys.Keyed> callers, String authRequired, boolean metricsOpen,
                   int healthTimeoutMs, Integer bridgeTcpPort, boolean accessLog, String tlsCertPath,
                   String tlsKeyPath, boolean bridgeTcpTls, String jwtIssuer, String jwtAudience) {

  static WebSettings from(JsonObject config) {
    Section http = Section.of(config, "http");
    Section auth = Section.of(config, "auth");
    return new WebSettings(http.string("host"), http.integer("port"), http.integer("shutdownGraceMs"),
      http.integer("drainDelayMs"), http.integer("maxBodyBytes"), http.integer("requestTimeoutMs"),
      http.integer("idleTimeoutMs"), http.integer("maxRequestLineBytes"), http.string("allowedOrigins"),
      auth.string("token"), auth.callers("callers"), auth.string("required"), auth.bool("metricsOpen"),
      Section.of(config, "health").integer("timeoutMs"),
      Section.of(config, "bridge").optionalInteger("tcpPort"), http.bool("accessLog"),
      http.string("tlsCertPath"), http.string("tlsKeyPath"), Section.of(config, "bridge").bool("tcpTls"),
      auth.string("jwtIssuer"), auth.string("jwtAudience"));
  }

  /** HTTPS (and HTTP/2 by ALPN): the configuration checked at start that the key comes with the certificate. */
  boolean tls() {
    return tlsCertPath != null;
  }
}
