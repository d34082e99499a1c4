package io.usergate.support;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpResponseExpectation;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A real Keycloak 26 (the distribution Maven unpacks into target/keycloak) in dev mode on loopback, with
 * the realm of {@link KeycloakRealm} imported at start and H2 in memory, so each start begins from that realm.
 * {@link #shared()} starts one per test JVM, stopped by a shutdown hook; its log is target/keycloak.log.
 */
public final class KeycloakServer implements AutoCloseable {

  public static final String ADMIN_USERNAME = "admin";
  private static final Duration READY_WITHIN = Duration.ofMinutes(3);
  private static final Duration STOP_WITHIN = Duration.ofSeconds(20);
  private static final String DISCOVERY = "/.well-known/openid-configuration";

  private static KeycloakServer shared;
  private static IllegalStateException sharedFailure;

  private final Process process;
  private final Path log;
  private final String baseUrl;
  private final String adminPassword;
  private final long startMillis;

  private KeycloakServer(Process process, Path log, String baseUrl, String adminPassword, long startMillis) {
    this.process = process;
    this.log = log;
    this.baseUrl = baseUrl;
    this.adminPassword = adminPassword;
    this.startMillis = startMillis;
  }

  /** The test JVM's Keycloak, started on first use (blocking, up to a few minutes: never on an event loop). */
  public static synchronized KeycloakServer shared() {
    // A start that failed once fails every later caller at once, not after minutes each.
    if (sharedFailure != null) {
      throw new IllegalStateException("the test JVM's Keycloak did not start: " + sharedFailure.getMessage(), sharedFailure);
    }
    if (shared == null) {
      try {
        KeycloakServer server = start(KeycloakRealm.Settings.DEFAULT, "keycloak");
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "keycloak-stop"));
        shared = server;
      } catch (IllegalStateException | UncheckedIOException e) {
        sharedFailure = new IllegalStateException(e.getMessage(), e);
        throw e;
      }
    }
    return shared;
  }

  /**
   * Starts a Keycloak of its own, with {@code settings} (token lifespans) for its realm, logging to
   * target/{@code name}.log; returns once the realm's discovery document answers. The caller closes it.
   */
  public static KeycloakServer start(KeycloakRealm.Settings settings, String name) {
    Path home = home();
    Path javaHome = KeycloakJava.home();
    try {
      Path imports = home.resolve("data").resolve("import");
      Files.createDirectories(imports);
      Files.writeString(imports.resolve(KeycloakRealm.NAME + "-realm.json"),
        KeycloakRealm.realm(settings).encodePrettily(), StandardCharsets.UTF_8);
      int port = ServiceProcess.freePort();
      int managementPort = ServiceProcess.freePort();
      String adminPassword = UUID.randomUUID().toString();
      Path log = TestConfig.projectDir().resolve("target").resolve(name + ".log").toAbsolutePath();
      ProcessBuilder builder = new ProcessBuilder(home.resolve("bin").resolve("kc.sh").toString(), "start-dev",
        "--http-host=127.0.0.1", "--http-port=" + port, "--http-management-port=" + managementPort,
        "--hostname-strict=false", "--db=dev-mem", "--import-realm")
        .directory(home.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
      // Nothing of the caller's Keycloak settings or JVM flags: kc.sh reads them from the environment.
      builder.environment().keySet().removeIf(variable -> variable.startsWith("KC_") || variable.startsWith("JAVA_OPTS"));
      builder.environment().put("JAVA_HOME", javaHome.toString());
      builder.environment().put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx512m");
      builder.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN_USERNAME);
      builder.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", adminPassword);
      long started = System.nanoTime();
      Process process = builder.start();
      String baseUrl = "http://127.0.0.1:" + port;
      awaitReady(process, log, baseUrl + "/realms/" + KeycloakRealm.NAME + DISCOVERY);
      return new KeycloakServer(process, log, baseUrl, adminPassword,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The unpacked distribution: the build names it (usergate.keycloak.home), else the one under target/keycloak. */
  static Path home() {
    String named = System.getProperty("usergate.keycloak.home");
    if (named != null && Files.isExecutable(Path.of(named, "bin", "kc.sh"))) {
      return Path.of(named);
    }
    Path unpacked = TestConfig.projectDir().resolve("target").resolve("keycloak");
    try (Stream<Path> dirs = Files.isDirectory(unpacked) ? Files.list(unpacked) : Stream.empty()) {
      return dirs.filter(dir -> Files.isExecutable(dir.resolve("bin").resolve("kc.sh"))).max(Path::compareTo)
        .orElseThrow(() -> new IllegalStateException("no Keycloak distribution under " + unpacked
          + ": the build unpacks it there (mvn generate-test-resources)"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void awaitReady(Process process, Path log, String discoveryUrl) {
    try {
      await().atMost(READY_WITHIN).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(250)).until(() -> {
        if (!process.isAlive()) {
          throw new IllegalStateException("Keycloak exited with " + process.exitValue() + " before it was ready:\n" + tail(log));
        }
        return status(discoveryUrl) == 200;
      });
    } catch (ConditionTimeoutException e) {
      stop(process);
      throw new IllegalStateException("Keycloak's realm " + KeycloakRealm.NAME + " was not served within " + READY_WITHIN
        + ":\n" + tail(log), e);
    }
  }

  private static int status(String url) {
    return ChildProcesses.status(url);
  }

  /** {@code http://127.0.0.1:port}. */
  public String baseUrl() {
    return baseUrl;
  }

  /** {@code …/realms/usergate}: the issuer of the realm's tokens. */
  public String realmUrl() {
    return baseUrl + "/realms/" + KeycloakRealm.NAME;
  }

  public String discoveryUrl() {
    return realmUrl() + DISCOVERY;
  }

  /** The realm's OAuth2 token endpoint (client credentials). */
  public String tokenUrl() {
    return realmUrl() + "/protocol/openid-connect/token";
  }

  /** {@code …/admin/realms/usergate}: the admin REST API of the realm ({@code /users}, {@code /users/{id}}). */
  public String adminUrl() {
    return baseUrl + "/admin/realms/" + KeycloakRealm.NAME;
  }

  /** How long the start took, from the process start to the realm served. */
  public long startMillis() {
    return startMillis;
  }

  /** A client-credentials access token of the realm's {@code clientId}. */
  public Future<String> clientToken(WebClient client, String clientId, String secret) {
    return token(client, tokenUrl(), MultiMap.caseInsensitiveMultiMap()
      .add("grant_type", "client_credentials").add("client_id", clientId).add("client_secret", secret));
  }

  /** A token of the bootstrap admin, from the master realm (admin-cli, password grant): for the helpers below. */
  public Future<String> adminToken(WebClient client) {
    return token(client, baseUrl + "/realms/master/protocol/openid-connect/token", MultiMap.caseInsensitiveMultiMap()
      .add("grant_type", "password").add("client_id", "admin-cli")
      .add("username", ADMIN_USERNAME).add("password", adminPassword));
  }

  private static Future<String> token(WebClient client, String url, MultiMap form) {
    return client.postAbs(url).sendForm(form)
      .expecting(HttpResponseExpectation.SC_OK)
      .map(response -> response.bodyAsJsonObject().getString("access_token"));
  }

  /**
   * Creates a user in the realm (a {@code UserRepresentation}, such as {@code {"username": …, "enabled": true}})
   * through the admin API; completes with its id, the last segment of the {@code Location} Keycloak answers.
   */
  public Future<String> createUser(WebClient client, JsonObject user) {
    return adminToken(client).compose(token -> client.postAbs(adminUrl() + "/users").bearerTokenAuthentication(token)
        .sendJsonObject(user))
      .expecting(HttpResponseExpectation.SC_CREATED)
      .map(response -> {
        String location = response.getHeader("Location");
        return location.substring(location.lastIndexOf('/') + 1);
      });
  }

  /** Deletes the user {@code id} from the realm through the admin API. */
  public Future<Void> deleteUser(WebClient client, String id) {
    return adminToken(client).compose(token -> client.deleteAbs(adminUrl() + "/users/" + id)
        .bearerTokenAuthentication(token).send())
      .expecting(HttpResponseExpectation.SC_NO_CONTENT)
      .mapEmpty();
  }

  /** The last lines of target/keycloak.log, for failure messages. */
  public String logTail() {
    return tail(log);
  }

  private static String tail(Path log) {
    return ChildProcesses.logTail(log, 40);
  }

  /** SIGTERM to kc.sh (it passes it on to Keycloak's JVM), then SIGKILL to whatever is left of the tree. */
  @Override
  public void close() {
    stop(process);
  }

  private static void stop(Process process) {
    ChildProcesses.endTree(process, STOP_WITHIN);
  }
}
