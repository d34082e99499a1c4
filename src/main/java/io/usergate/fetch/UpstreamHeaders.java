package io.usergate.fetch;

import io.vertx.core.http.RequestOptions;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code upstream.headers}, the credentials sent on every upstream call. Held here rather than as a map
 * in {@link UpstreamSettings}, so that printing the settings (a record's {@code toString}) shows the
 * header names and never their values.
 */
final class UpstreamHeaders {

  private final Map<String, String> headers;

  UpstreamHeaders(Map<String, String> headers) {
    this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }

  /** On a request: they replace a header of the same name (an Accept of the directory's choosing). */
  void addTo(RequestOptions options) {
    headers.forEach(options::putHeader);
  }

  boolean isEmpty() {
    return headers.isEmpty();
  }

  @Override
  public String toString() {
    return headers.isEmpty() ? "no headers" : "headers " + String.join(", ", headers.keySet()) + " (values masked)";
  }
}
