package io.usergate.web;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Routes by path and method. {@code HEAD} goes with every {@code GET} (load balancers probe with it;
 * Vert.x sends the headers of the {@code GET} answer and no body), and any other method on a known path
 * is answered 405 with the {@code Allow} header RFC 9110 asks for, an invented method included. A path of
 * its own is answered as itself, not as a parameter of another ({@code /users/batch} is not the user
 * {@code batch}), whatever the order the routes were added in.
 */
final class MethodRoutes {

  private final Router router;
  private final Map<String, Set<HttpMethod>> allowed = new LinkedHashMap<>();

  MethodRoutes(Router router) {
    this.router = router;
  }

  Route get(String path) {
    allow(path, HttpMethod.GET, HttpMethod.HEAD);
    Route route = router.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD);
    if (path.contains(":")) {
      route.handler(this::concretePathFirst);
    }
    return route;
  }

  Route post(String path) {
    allow(path, HttpMethod.POST);
    return router.post(path);
  }

  /** Last, after every route: refuses the other methods on the paths above, saying which are allowed. */
  void refuseOtherMethods() {
    // The paths of their own first: DELETE /users/batch is refused with the Allow of /users/batch, not of /users/:id.
    allowed.forEach((path, methods) -> {
      if (!path.contains(":")) {
        refuse(path, methods);
      }
    });
    allowed.forEach((path, methods) -> {
      if (path.contains(":")) {
        refuse(path, methods);
      }
    });
  }

  private void refuse(String path, Set<HttpMethod> methods) {
    router.route(path).handler(ctx -> {
      if (methods.contains(ctx.request().method())) {
        // An allowed method whose handler passed it on (a file that is not there): 404 comes next.
        ctx.next();
        return;
      }
      refuse(ctx, methods);
    });
  }

  /** On a route with a parameter: a request for a path of its own that does not allow the method is 405 there. */
  private void concretePathFirst(RoutingContext ctx) {
    Set<HttpMethod> concrete = allowed.get(ctx.normalizedPath());
    if (concrete != null && !concrete.contains(ctx.request().method())) {
      refuse(ctx, concrete);
    } else {
      ctx.next();
    }
  }

  private static void refuse(RoutingContext ctx, Set<HttpMethod> methods) {
    ctx.response().putHeader(HttpHeaders.ALLOW, methods.stream().map(HttpMethod::name).collect(Collectors.joining(", ")));
    ctx.fail(405);
  }

  private void allow(String path, HttpMethod... methods) {
    Set<HttpMethod> set = allowed.computeIfAbsent(path, known -> new LinkedHashSet<>());
    set.addAll(List.of(methods));
  }
}
