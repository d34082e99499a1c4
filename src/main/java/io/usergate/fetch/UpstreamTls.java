package io.usergate.fetch;

import io.usergate.config.Section;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

import javax.net.ssl.SSLException;

/**
 * TLS towards the directory and its token endpoint: the CAs to trust instead of the JVM's
 * ({@code upstream.tlsCaPath}, a private CA), and the client certificate of mutual TLS
 * ({@code upstream.tlsCertPath}, {@code upstream.tlsKeyPath}). Hostnames are verified either way: nothing here
 * trusts everything. Each null: the JVM's trust store, no client certificate.
 */
public record UpstreamTls(String caPath, String certPath, String keyPath) {

  static UpstreamTls from(Section upstream) {
    return new UpstreamTls(upstream.string("tlsCaPath"), upstream.string("tlsCertPath"), upstream.string("tlsKeyPath"));
  }

  /** {@code options} with this trust and this client certificate (an https URL turns TLS on, not this). */
  HttpClientOptions applyTo(HttpClientOptions options) {
    options.setVerifyHost(true);
    if (caPath != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(caPath));
    }
    if (certPath != null) {
      options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(certPath).setKeyPath(keyPath));
    }
    return options;
  }

  /**
   * What a failed TLS handshake said, for the caller's message, or null when {@code failure} is not one. A TLS
   * failure is the configuration's (a CA, a client certificate), so it is not retried.
   */
  static String handshakeFailure(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SSLException tls) {
        String said = tls.getMessage() == null ? tls.getClass().getSimpleName() : tls.getMessage().replaceAll("\\p{Cntrl}+", " ");
        return "TLS handshake failed (" + (said.length() > 200 ? said.substring(0, 200) + "..." : said)
          + "): see upstream.tlsCaPath, upstream.tlsCertPath";
      }
    }
    return null;
  }
}
