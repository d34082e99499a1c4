package io.usergate.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;

import java.util.EnumSet;
import java.util.Optional;

/**
 * Metrics through vertx-micrometer-metrics, scraped by Prometheus at {@code GET /metrics}. HTTP server
 * metrics are labelled by route pattern ({@code /users/:id}), never by raw path, so ids never become
 * labels.
 */
public final class Metrics {

  private Metrics() {
  }

  /** The Vert.x metrics options the launcher (and tests that check metrics) create Vert.x with. */
  public static MicrometerMetricsOptions options() {
    return new MicrometerMetricsOptions()
      .setEnabled(true)
      .setJvmMetricsEnabled(true)
      .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true))
      .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME,
        Label.EB_ADDRESS, Label.EB_SIDE, Label.EB_FAILURE));
  }

  /** The registry, when Vert.x runs with metrics (not in most unit tests). */
  public static Optional<MeterRegistry> registry() {
    return Optional.ofNullable(BackendRegistries.getDefaultNow());
  }
}
