package io.usergate.web;

import io.usergate.config.Section;
import io.vertx.core.json.JsonObject;

/** What the web verticle reads of the configuration: its sections {@code http}, {@code auth}, {@code health}, {@code bridge}. */
record WebSettings(String host, int port, int shutdownGraceMs, int drainDelayMs, int maxBodyBytes, int requestTimeoutMs,
                   int idleTimeoutMs, int maxRequestLineBytes, String allowedOrigins, String token,
                   int healthTimeoutMs, Integer bridgeTcpPort, boolean accessLog, String tlsCertPath,
                   String tlsKeyPath, boolean bridgeTcpTls) {

  static WebSettings from(JsonObject config) {
    Section http = Section.of(config, "http");
    return new WebSettings(http.string("host"), http.integer("port"), http.integer("shutdownGraceMs"),
      http.integer("drainDelayMs"), http.integer("maxBodyBytes"), http.integer("requestTimeoutMs"),
      http.integer("idleTimeoutMs"), http.integer("maxRequestLineBytes"), http.string("allowedOrigins"),
      Section.of(config, "auth").string("token"), Section.of(config, "health").integer("timeoutMs"),
      Section.of(config, "bridge").optionalInteger("tcpPort"), http.bool("accessLog"),
      http.string("tlsCertPath"), http.string("tlsKeyPath"), Section.of(config, "bridge").bool("tcpTls"));
  }

  /** HTTPS (and HTTP/2 by ALPN): the configuration checked at start that the key comes with the certificate. */
  boolean tls() {
    return tlsCertPath != null;
  }
}
