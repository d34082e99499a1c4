package io.usergate.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The labels of Vert.x's HTTP server meters, so that a scanner's traffic costs few series.
 * <ul>
 * <li>{@code route}: Vert.x joins the routes a request went through with {@code >}; repeats are dropped
 * ({@code /sync>/sync}: the token check and the handler of one route) and so is the static files'
 * catch-all {@code /} that passed a request on ({@code />/sync/walk}). Each route then has one label.</li>
 * <li>Latency and response sizes are by {@code route} alone; the request counter keeps route, method and
 * code. Every method on every route with every error makes some 200 of those; a histogram of each would
 * be {@value LatencyHistograms#BUCKETS} bucket series more. A route's histogram holds its errors too.</li>
 * </ul>
 */
public final class HttpServerLabels implements MeterFilter {

  static final String ROUTE = "route";

  private static final String PREFIX = "vertx.http.server.";

  /** The HTTP server's meters by route only (Micrometer's names). */
  static final Set<String> BY_ROUTE_ONLY = Set.of("vertx.http.server.response.time", "vertx.http.server.response.bytes");

  @Override
  public Meter.Id map(Meter.Id id) {
    if (!id.getName().startsWith(PREFIX)) {
      return id;
    }
    String route = id.getTag(ROUTE);
    if (BY_ROUTE_ONLY.contains(id.getName())) {
      return id.replaceTags(route == null ? List.of() : List.of(Tag.of(ROUTE, route(route))));
    }
    return route == null ? id : id.withTag(Tag.of(ROUTE, route(route)));
  }

  /** The routes Vert.x joined, without repeats, and without the catch-all {@code /} next to another route. */
  static String route(String joined) {
    if (joined.indexOf('>') < 0) {
      return joined;
    }
    List<String> routes = new ArrayList<>();
    for (String route : joined.split(">", -1)) {
      if (routes.isEmpty() || !routes.get(routes.size() - 1).equals(route)) {
        routes.add(route);
      }
    }
    if (routes.size() > 1) {
      routes.removeIf("/"::equals);
    }
    return routes.isEmpty() ? "/" : String.join(">", routes);
  }
}
