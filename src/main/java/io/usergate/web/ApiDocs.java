package io.usergate.web;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.Set;

/**
 * The contract and its page: {@code GET /openapi.yaml} (the OpenAPI 3.1 document in the jar,
 * {@code src/main/resources/openapi.yaml}) and {@code GET /docs}, Swagger UI from its webjar pointed at it,
 * all served by usergate itself (no CDN). Both files are read once at start, on a worker thread.
 */
final class ApiDocs {

  /** The document, a class-path resource. */
  static final String CONTRACT = "openapi.yaml";
  /** usergate's own Swagger UI page (not the webjar's demo page). */
  static final String PAGE = "docs/index.html";
  static final String YAML = "application/yaml";

  private static final String WEBJAR_POM = "META-INF/maven/org.webjars/swagger-ui/pom.properties";
  private static final String WEBJAR_FILES = "META-INF/resources/webjars/swagger-ui/";
  /** The webjar's demo page and its set-up point at a public petstore: never served. */
  private static final Set<String> WEBJAR_DEMO = Set.of("index.html", "swagger-initializer.js");

  private final Buffer contract;
  private final Buffer page;
  private final String swaggerUiRoot;

  private ApiDocs(Buffer contract, Buffer page, String swaggerUiRoot) {
    this.contract = contract;
    this.page = page;
    this.swaggerUiRoot = swaggerUiRoot;
  }

  /** Reads the document, the page and the webjar's version (its folder) from the class path, off the event loop. */
  static Future<ApiDocs> load(Vertx vertx) {
    return vertx.executeBlocking(() -> {
      Properties webjar = new Properties();
      webjar.load(new StringReader(resource(WEBJAR_POM).toString()));
      // The folder is named after the version: read from the jar, so that a new webjar needs no change here.
      return new ApiDocs(resource(CONTRACT), resource(PAGE), WEBJAR_FILES + webjar.getProperty("version"));
    });
  }

  /** {@code GET /openapi.yaml}, {@code GET /docs} and Swagger UI's files under {@code /docs/}. */
  void mount(MethodRoutes routes) {
    routes.get("/openapi.yaml").handler(ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, YAML).end(contract));
    routes.get("/docs").handler(this::page);
    routes.get("/docs/*").handler(this::notTheDemo).handler(StaticHandler.create(swaggerUiRoot));
  }

  private void page(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8").end(page);
  }

  /** {@code /docs/} is the page; the webjar's demo files are not there to be found. */
  private void notTheDemo(RoutingContext ctx) {
    String file = ctx.pathParam("*");
    file = file == null ? "" : file.startsWith("/") ? file.substring(1) : file;
    if (file.isEmpty()) {
      page(ctx);
    } else if (WEBJAR_DEMO.contains(file)) {
      ctx.fail(404);
    } else {
      ctx.next();
    }
  }

  private static Buffer resource(String name) {
    try (InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the jar holds no " + name);
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name + " from the jar", e);
    }
  }
}
