package io.usergate.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.Match;
import io.vertx.micrometer.MatchType;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;

import java.util.EnumSet;
import java.util.Optional;

/**
 * Metrics through vertx-micrometer-metrics, scraped by Prometheus at {@code GET /metrics}. HTTP server
 * metrics are labelled by route pattern ({@code /users/:id}), never by raw path, so ids never become
 * labels, and HTTP methods outside the standard set are all labelled {@value #OTHER_METHOD}: a caller
 * controls both, and each distinct value would add hundreds of series.
 */
public final class Metrics {

  /** The label of every HTTP method that is not one of RFC 9110's (plus PATCH). */
  public static final String OTHER_METHOD = "OTHER";

  /** Matches any method label except the standard ones. */
  private static final String NON_STANDARD_METHOD = "(?!(?:GET|HEAD|POST|PUT|DELETE|CONNECT|OPTIONS|TRACE|PATCH)$).*";

  private Metrics() {
  }

  /** The Vert.x metrics options the launcher (and tests that check metrics) create Vert.x with. */
  public static MicrometerMetricsOptions options() {
    return new MicrometerMetricsOptions()
      .setEnabled(true)
      .setJvmMetricsEnabled(true)
      .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true))
      .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME,
        Label.EB_ADDRESS, Label.EB_SIDE, Label.EB_FAILURE))
      .addLabelMatch(new Match().setLabel(Label.HTTP_METHOD.toString()).setType(MatchType.REGEX)
        .setValue(NON_STANDARD_METHOD).setAlias(OTHER_METHOD));
  }

  /** The registry, when Vert.x runs with metrics (not in most unit tests). */
  public static Optional<MeterRegistry> registry() {
    return Optional.ofNullable(BackendRegistries.getDefaultNow());
  }
}
