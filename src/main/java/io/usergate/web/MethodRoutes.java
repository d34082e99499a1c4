package io.usergate.web;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Routes by path and method. {@code HEAD} goes with every {@code GET} (load balancers probe with it;
 * Vert.x sends the headers of the {@code GET} answer and no body), and any other method on a known path
 * is answered 405 with the {@code Allow} header RFC 9110 asks for, an invented method included.
 */
final class MethodRoutes {

  private final Router router;
  private final Map<String, Set<HttpMethod>> allowed = new LinkedHashMap<>();

  MethodRoutes(Router router) {
    this.router = router;
  }

  Route get(String path) {
    allow(path, HttpMethod.GET, HttpMethod.HEAD);
    return router.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD);
  }

  Route post(String path) {
    allow(path, HttpMethod.POST);
    return router.post(path);
  }

  /** Last, after every route: refuses the other methods on the paths above, saying which are allowed. */
  void refuseOtherMethods() {
    allowed.forEach((path, methods) -> {
      String allow = methods.stream().map(HttpMethod::name).collect(Collectors.joining(", "));
      router.route(path).handler(ctx -> {
        if (methods.contains(ctx.request().method())) {
          // An allowed method whose handler passed it on (a file that is not there): 404 comes next.
          ctx.next();
          return;
        }
        ctx.response().putHeader(HttpHeaders.ALLOW, allow);
        ctx.fail(405);
      });
    });
  }

  private void allow(String path, HttpMethod... methods) {
    Set<HttpMethod> set = allowed.computeIfAbsent(path, known -> new LinkedHashSet<>());
    set.addAll(List.of(methods));
  }
}
