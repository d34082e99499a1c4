package io.usergate;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.usergate.cluster.HazelcastConfigs;
import io.usergate.config.ConfigKey;
import io.usergate.config.ConfigKeys;
import io.usergate.config.Configuration;
import io.usergate.config.IgnoredVariables;
import io.usergate.config.InvalidConfigException;
import io.usergate.metrics.Metrics;
import io.usergate.support.InProcessService;
import io.usergate.support.Stack;
import io.usergate.support.TestConfig;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What ops/ and the Dockerfile say about usergate, checked against usergate itself: the probes and the
 * health check against the real routes, the Deployment's environment against the key table and the
 * configuration it resolves to (ports, the Hazelcast join), the manifests against each other, and every
 * metric an alert or a dashboard panel reads against a real scrape and the documentation (README.md, docs/*.md).
 */
class OpsManifestsTest {

  private static final Path PROJECT = TestConfig.projectDir();
  private static final Path K8S = PROJECT.resolve("ops/k8s");

  /** Stand-ins for what Kubernetes gives a pod through the downward API. */
  private static final String NAMESPACE = "usergate-test";
  private static final String POD_IP = "10.1.2.3";

  private static InProcessService service;
  private static Set<String> scraped;

  @BeforeAll
  static void startTheService() throws Exception {
    // Metrics on, as the launcher starts Vert.x: the scrape is the list of metrics that really exist.
    service = new InProcessService(Metrics.vertxBuilder(new VertxOptions()).build());
    JsonObject config = TestConfig.forTests();
    Stack.demoUpstream(service.vertx, config);
    service.deploy(config);
    // A request of each kind the alerts count (a 200 and a 5xx-capable route), so that their series exist.
    service.get("/users/1");
    service.get("/health/ready");
    HttpResponse<Buffer> scrape = service.get("/metrics");
    assertEquals(200, scrape.statusCode());
    scraped = scrape.bodyAsString().lines()
      .filter(line -> !line.startsWith("#") && !line.isBlank())
      .map(line -> line.split("[{ ]", 2)[0])
      .collect(Collectors.toCollection(TreeSet::new));
  }

  @AfterAll
  static void stop() throws Exception {
    service.close();
  }

  // ---- the manifests

  /** Every document of every manifest, in file order. */
  private static List<Map<String, Object>> manifests() throws IOException {
    List<Map<String, Object>> documents = new ArrayList<>();
    try (Stream<Path> files = Files.list(K8S)) {
      for (Path file : files.filter(path -> path.toString().endsWith(".yaml")).sorted().toList()) {
        for (Object document : new Yaml().loadAll(Files.readString(file))) {
          if (document != null) {
            documents.add(map(document, file.getFileName().toString()));
          }
        }
      }
    }
    return documents;
  }

  private static Map<String, Object> manifest(String kind, String name) throws IOException {
    return manifests().stream()
      .filter(document -> kind.equals(document.get("kind")) && name.equals(map(document.get("metadata"), kind).get("name")))
      .findFirst().orElseThrow(() -> new AssertionError("ops/k8s has no " + kind + " " + name));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value, String what) {
    assertTrue(value instanceof Map, what + " is not a mapping: " + value);
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object value, String what) {
    assertTrue(value instanceof List, what + " is not a list: " + value);
    return (List<Object>) value;
  }

  /** The value at a path of mapping keys and list indexes, e.g. "spec", "template", "spec", "containers", 0. */
  private static Object at(Object root, Object... path) {
    Object value = root;
    StringBuilder where = new StringBuilder();
    for (Object step : path) {
      where.append('/').append(step);
      value = step instanceof Integer index ? list(value, where.toString()).get(index) : map(value, where.toString()).get(step);
      assertNotNull(value, "nothing at " + where);
    }
    return value;
  }

  private static Map<String, Object> container() throws IOException {
    List<Object> containers = list(at(manifest("Deployment", "usergate"), "spec", "template", "spec", "containers"), "containers");
    assertEquals(1, containers.size(), "one container in the pod");
    return map(containers.get(0), "the container");
  }

  /** The container's port of that name, or the number itself. */
  private static int containerPort(Object portOrName) throws IOException {
    if (portOrName instanceof Integer number) {
      return number;
    }
    for (Object port : list(container().get("ports"), "ports")) {
      if (portOrName.equals(map(port, "a port").get("name"))) {
        return (Integer) map(port, "a port").get("containerPort");
      }
    }
    throw new AssertionError("the container has no port named " + portOrName);
  }

  /**
   * The container's environment as the pod sees it: values as written, $(VAR) references to earlier
   * variables expanded (as Kubernetes does), the downward API's fields as stand-ins, and secret
   * references as the Secret's placeholders (each reference must name a key of that Secret).
   */
  private static Map<String, String> environment() throws IOException {
    Map<String, Object> secretData = map(manifest("Secret", "usergate").get("stringData"), "the Secret's stringData");
    Map<String, String> environment = new LinkedHashMap<>();
    for (Object item : list(container().get("env"), "env")) {
      Map<String, Object> variable = map(item, "an env entry");
      String name = (String) variable.get("name");
      String value;
      if (variable.containsKey("value")) {
        value = String.valueOf(variable.get("value"));
        Matcher reference = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)").matcher(value);
        StringBuilder expanded = new StringBuilder();
        while (reference.find()) {
          assertTrue(environment.containsKey(reference.group(1)), name + " refers to $(" + reference.group(1)
            + "), which is not defined before it");
          reference.appendReplacement(expanded, Matcher.quoteReplacement(environment.get(reference.group(1))));
        }
        value = reference.appendTail(expanded).toString();
      } else {
        Map<String, Object> from = map(variable.get("valueFrom"), name + " valueFrom");
        if (from.containsKey("fieldRef")) {
          String field = (String) map(from.get("fieldRef"), "fieldRef").get("fieldPath");
          value = switch (field) {
            case "metadata.namespace" -> NAMESPACE;
            case "status.podIP" -> POD_IP;
            default -> throw new AssertionError(name + " reads a field this test does not know: " + field);
          };
        } else {
          Map<String, Object> secret = map(from.get("secretKeyRef"), name + " secretKeyRef");
          assertEquals("usergate", secret.get("name"), name + " reads the Secret of secret.yaml");
          assertTrue(secretData.containsKey(secret.get("key")), name + " reads key " + secret.get("key")
            + ", which secret.yaml does not have");
          value = String.valueOf(secretData.get(secret.get("key")));
        }
      }
      environment.put(name, value);
    }
    return environment;
  }

  /** The configuration the Deployment's pods start with: the defaults and their environment. */
  private static JsonObject deployedConfiguration() throws IOException {
    return Configuration.load(new Configuration.Sources(null, null, environment(), Map.of())).config();
  }

  @Test
  @DisplayName("every manifest in ops/k8s parses, names its kind and name, and the Services and the budget select the Deployment's pods")
  void manifestsParseAndSelectThePods() throws IOException {
    List<Map<String, Object>> documents = manifests();
    Set<String> kinds = new TreeSet<>();
    for (Map<String, Object> document : documents) {
      assertNotNull(document.get("apiVersion"), "apiVersion of " + document);
      assertNotNull(at(document, "metadata", "name"), "metadata.name of " + document);
      kinds.add(String.valueOf(document.get("kind")));
    }
    assertEquals(new TreeSet<>(List.of("Deployment", "PodDisruptionBudget", "Secret", "Service")), kinds);
    Map<String, Object> deployment = manifest("Deployment", "usergate");
    Map<String, Object> podLabels = map(at(deployment, "spec", "template", "metadata", "labels"), "the pod's labels");
    assertEquals(podLabels, at(deployment, "spec", "selector", "matchLabels"), "the Deployment selects its own pods");
    assertAll(Stream.of(manifest("Service", "usergate"), manifest("Service", "usergate-hazelcast"))
      .map(service -> () -> assertEquals(podLabels, at(service, "spec", "selector"),
        at(service, "metadata", "name") + " selects the Deployment's pods")));
    assertEquals(podLabels, at(manifest("PodDisruptionBudget", "usergate"), "spec", "selector", "matchLabels"),
      "the disruption budget covers the Deployment's pods");
  }

  @TestFactory
  @DisplayName("each probe of the Deployment and the Dockerfile's HEALTHCHECK GETs a real route of the HttpVerticle (200 or 503, never 404)")
  Stream<DynamicTest> probesGetRealRoutes() throws IOException {
    Map<String, String> paths = new LinkedHashMap<>();
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      paths.put(probe, (String) at(container(), probe, "httpGet", "path"));
    }
    Matcher healthcheck = Pattern.compile("HEALTHCHECK .*http://127\\.0\\.0\\.1:\\$\\{USERGATE_HTTP_PORT}(/[^\"' ]*)")
      .matcher(dockerfile());
    assertTrue(healthcheck.find(), "the Dockerfile's HEALTHCHECK GETs a path on USERGATE_HTTP_PORT");
    paths.put("HEALTHCHECK", healthcheck.group(1));
    assertEquals("/health/ready", paths.get("HEALTHCHECK"), "the image's health check is readiness");
    return paths.entrySet().stream().map(probe -> DynamicTest.dynamicTest(probe.getKey() + " " + probe.getValue(), () -> {
      int status = service.get(probe.getValue()).statusCode();
      assertTrue(status == 200 || status == 503, probe.getKey() + " GET " + probe.getValue() + " answered " + status);
    }));
  }

  @Test
  @DisplayName("the probes, the Service's targetPort, the scrape annotation and http.port from the pod's environment are one port; the headless Service's is cluster.port")
  void portsAgree() throws IOException {
    JsonObject config = deployedConfiguration();
    int httpPort = config.getJsonObject("http").getInteger("port");
    assertEquals("0.0.0.0", config.getJsonObject("http").getString("host"), "a pod listens on its own address, not loopback");
    assertEquals(httpPort, containerPort("http"), "the container port named http is http.port");
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      assertEquals(httpPort, containerPort(at(container(), probe, "httpGet", "port")), probe + "'s port");
    }
    Map<String, Object> service = map(list(at(manifest("Service", "usergate"), "spec", "ports"), "ports").get(0), "the port");
    assertEquals(httpPort, containerPort(service.get("targetPort")), "the Service's targetPort");
    assertEquals(String.valueOf(httpPort), at(manifest("Deployment", "usergate"), "spec", "template", "metadata",
      "annotations", "prometheus.io/port"), "the scrape annotation's port");
    Map<String, Object> hazelcast = map(list(at(manifest("Service", "usergate-hazelcast"), "spec", "ports"), "ports").get(0), "the port");
    int clusterPort = config.getJsonObject("cluster").getInteger("port");
    assertEquals(clusterPort, containerPort(hazelcast.get("targetPort")), "the headless Service's targetPort is cluster.port");
    assertEquals(clusterPort, hazelcast.get("port"), "the headless Service's port is cluster.port");
  }

  @Test
  @DisplayName("every USERGATE_* variable of the Deployment and the Dockerfile is a key of the table, and the pod's configuration resolves")
  void environmentNamesRealKeys() throws IOException {
    Set<String> known = ConfigKeys.ALL.stream().map(ConfigKey::environmentName).collect(Collectors.toSet());
    Set<String> named = new TreeSet<>(environment().keySet());
    Matcher env = Pattern.compile("(?m)^ENV (USERGATE_[A-Z_]+)=").matcher(dockerfile());
    while (env.find()) {
      named.add(env.group(1));
    }
    assertAll(named.stream().filter(name -> name.startsWith("USERGATE_"))
      .map(name -> () -> assertTrue(known.contains(name), name + " names no key (usergate would ignore it)")));
    JsonObject config = assertDoesNotThrow(OpsManifestsTest::deployedConfiguration, "the pod's configuration is valid");
    assertEquals("postgres.example.internal", config.getJsonObject("pg").getString("host"), "an external PostgreSQL");
    assertFalse(config.getJsonObject("demo").getBoolean("enabled"), "no demo directory in production");
  }

  @Test
  @DisplayName("the pod turns Kubernetes' service links off; were they on, the variables the Services of ops/k8s would give pass silently")
  void serviceLinks() throws IOException {
    assertEquals(false, at(manifest("Deployment", "usergate"), "spec", "template", "spec", "enableServiceLinks"),
      "enableServiceLinks: false on the pod spec");
    Map<String, String> links = new LinkedHashMap<>();
    String clusterIp = "10.96.0.10";
    for (Map<String, Object> service : manifests()) {
      if (!"Service".equals(service.get("kind"))) {
        continue;
      }
      Map<String, Object> spec = map(service.get("spec"), "spec");
      if ("None".equals(spec.get("clusterIP"))) {
        continue;  // a headless Service has no link variables
      }
      // As the kubelet makes them (pkg/kubelet/envvars): the name upper-cased, dashes as underscores.
      String prefix = ((String) at(service, "metadata", "name")).toUpperCase(Locale.ROOT).replace('-', '_');
      List<Object> ports = list(spec.get("ports"), "ports");
      for (int i = 0; i < ports.size(); i++) {
        Map<String, Object> port = map(ports.get(i), "a port");
        String protocol = String.valueOf(port.getOrDefault("protocol", "TCP"));
        String url = protocol.toLowerCase(Locale.ROOT) + "://" + clusterIp + ":" + port.get("port");
        if (i == 0) {
          links.put(prefix + "_SERVICE_HOST", clusterIp);
          links.put(prefix + "_SERVICE_PORT", String.valueOf(port.get("port")));
          links.put(prefix + "_PORT", url);
        }
        if (port.get("name") != null) {
          links.put(prefix + "_SERVICE_PORT_" + ((String) port.get("name")).toUpperCase(Locale.ROOT).replace('-', '_'),
            String.valueOf(port.get("port")));
        }
        String each = prefix + "_PORT_" + port.get("port") + "_" + protocol;
        links.put(each, url);
        links.put(each + "_PROTO", protocol.toLowerCase(Locale.ROOT));
        links.put(each + "_PORT", String.valueOf(port.get("port")));
        links.put(each + "_ADDR", clusterIp);
      }
    }
    assertTrue(links.containsKey("USERGATE_PORT_80_TCP"), "the Service usergate's links: " + links);
    Map<String, String> environment = new LinkedHashMap<>(environment());
    environment.putAll(links);
    assertEquals(List.of(), IgnoredVariables.in(environment), "ignored variables in " + environment.keySet());
  }

  @Test
  @DisplayName("cluster.join=kubernetes from the pod's environment: Hazelcast joins by the headless Service's DNS name, on cluster.port, with no TCP-IP list, bound to the pod's address")
  void kubernetesJoinNamesTheHeadlessService() throws IOException {
    JsonObject cluster = deployedConfiguration().getJsonObject("cluster");
    assertEquals(HazelcastConfigs.KUBERNETES, cluster.getString("join"));
    Config config = HazelcastConfigs.from(cluster);
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertDoesNotThrow(join::verify, "one join enabled");
    assertTrue(join.getKubernetesConfig().isEnabled(), "the Kubernetes join");
    assertFalse(join.getTcpIpConfig().isEnabled(), "no TCP-IP join");
    assertFalse(join.getMulticastConfig().isEnabled(), "no multicast");
    String headless = (String) at(manifest("Service", "usergate-hazelcast"), "metadata", "name");
    assertEquals("None", at(manifest("Service", "usergate-hazelcast"), "spec", "clusterIP"), "the Service is headless");
    assertEquals(true, at(manifest("Service", "usergate-hazelcast"), "spec", "publishNotReadyAddresses"),
      "starting pods (not ready yet) find each other");
    assertEquals(headless + "." + NAMESPACE + ".svc.cluster.local", join.getKubernetesConfig().getProperty("service-dns"));
    assertEquals(String.valueOf(cluster.getInteger("port")), join.getKubernetesConfig().getProperty("service-port"));
    assertEquals(List.of(POD_IP), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()),
      "Hazelcast binds to the pod's address");
    assertEquals(cluster.getString("name"), config.getClusterName());
  }

  @Test
  @DisplayName("cluster.join=tcp (the default): cluster.xml's TCP-IP join on cluster.members, no Kubernetes join; an unknown join or a missing service does not start")
  void tcpJoinIsTodaysBehaviour() {
    JsonObject cluster = Configuration.defaults().getJsonObject("cluster").put("members", "10.0.0.5,10.0.0.6");
    JoinConfig join = HazelcastConfigs.from(cluster).getNetworkConfig().getJoin();
    assertTrue(join.getTcpIpConfig().isEnabled());
    assertEquals(List.of("10.0.0.5", "10.0.0.6"), join.getTcpIpConfig().getMembers());
    assertFalse(join.getKubernetesConfig().isEnabled());
    assertEquals("invalid configuration: cluster.join \"multicast\" is neither tcp nor kubernetes (from USERGATE_CLUSTER_JOIN)",
      assertThrows(InvalidConfigException.class, () -> Configuration.load(new Configuration.Sources(null, null,
        Map.of("USERGATE_CLUSTER_JOIN", "multicast"), Map.of()))).getMessage());
    assertTrue(assertThrows(InvalidConfigException.class, () -> Configuration.load(new Configuration.Sources(null, null,
        Map.of("USERGATE_CLUSTER_JOIN", "kubernetes"), Map.of()))).getMessage()
      .startsWith("invalid configuration: cluster.kubernetesService is empty while cluster.join is kubernetes (from USERGATE_CLUSTER_JOIN)"));
  }

  // ---- the Dockerfile

  private static String dockerfile() throws IOException {
    // Continuation lines joined, comments dropped: one instruction a line.
    return Files.readString(PROJECT.resolve("Dockerfile")).lines().filter(line -> !line.startsWith("#"))
      .collect(Collectors.joining("\n")).replaceAll("\\\\\n\\s*", " ");
  }

  @Test
  @DisplayName("the Dockerfile: a Maven stage and a JRE 17 stage, the Deployment's non-root uid, data/ (pg.dataDir) a volume, an exec-form ENTRYPOINT that expands JAVA_OPTS, http.port exposed")
  void dockerfileRunsWhatTheManifestsExpect() throws IOException {
    String dockerfile = dockerfile();
    assertTrue(dockerfile.contains("FROM maven:3.9-eclipse-temurin-17 AS build"), "the build stage");
    assertTrue(dockerfile.contains("\nFROM eclipse-temurin:17-jre"), "the runtime stage");
    Matcher user = Pattern.compile("(?m)^USER (\\d+):(\\d+)$").matcher(dockerfile);
    assertTrue(user.find(), "a numeric USER (Kubernetes checks runAsNonRoot only for one)");
    assertFalse(user.group(1).equals("0"), "not root");
    assertEquals(Integer.parseInt(user.group(1)), at(manifest("Deployment", "usergate"), "spec", "template", "spec",
      "securityContext", "runAsUser"), "the Deployment runs the image's user");
    Matcher volume = Pattern.compile("(?m)^VOLUME \\[\"(/[^\"]+)\"]$").matcher(dockerfile);
    assertTrue(volume.find(), "a VOLUME");
    Matcher workdir = Pattern.compile("(?m)^WORKDIR (/\\S+)$").matcher(dockerfile.substring(dockerfile.lastIndexOf("\nFROM ")));
    assertTrue(workdir.find(), "the runtime stage's WORKDIR");
    Path dataDir = Path.of(workdir.group(1)).resolve(Configuration.defaults().getJsonObject("pg").getString("dataDir"));
    assertTrue(dataDir.startsWith(volume.group(1)), "pg.dataDir " + dataDir + " is inside the volume " + volume.group(1));
    Matcher entrypoint = Pattern.compile("(?m)^ENTRYPOINT (\\[.*])$").matcher(dockerfile);
    assertTrue(entrypoint.find(), "an exec-form (JSON array) ENTRYPOINT");
    JsonArray command = new JsonArray(entrypoint.group(1));
    assertTrue(command.getString(2).startsWith("exec java $JAVA_OPTS -jar "), "java replaces the shell (signals reach it) "
      + "and JAVA_OPTS is expanded: " + command);
    Matcher expose = Pattern.compile("(?m)^EXPOSE (.*)$").matcher(dockerfile);
    assertTrue(expose.find(), "EXPOSE");
    Matcher port = Pattern.compile("(?m)^ENV USERGATE_HTTP_PORT=(\\d+)$").matcher(dockerfile);
    assertTrue(port.find(), "ENV USERGATE_HTTP_PORT (the HEALTHCHECK reads it)");
    assertTrue(List.of(expose.group(1).split(" ")).contains(port.group(1)), "http.port is exposed");
    assertTrue(dockerfile.contains("\nENV USERGATE_HTTP_HOST=0.0.0.0\n"), "http.host is every interface in a container");
  }

  // ---- the alerts and the dashboard

  /** PromQL's words that are not metric names. */
  private static final Set<String> PROMQL_WORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
    "group_left", "group_right", "bool", "offset", "inf", "nan");

  /** The metric names an expression reads: what is left once strings, matchers, ranges, groupings and functions are gone. */
  static Set<String> metricNames(String expr) {
    String bare = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
      .replaceAll("\\{[^}]*}", " ")
      .replaceAll("\\[[^]]*]", " ")
      .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    Set<String> names = new TreeSet<>();
    Matcher word = Pattern.compile("\\b([a-zA-Z_:][a-zA-Z0-9_:]*)\\b(\\s*\\()?").matcher(bare);
    while (word.find()) {
      if (word.group(2) == null && !PROMQL_WORDS.contains(word.group(1).toLowerCase())) {
        names.add(word.group(1));
      }
    }
    return names;
  }

  /** Metrics that exist: a real scrape of this build, and the ones the documentation names (README.md, docs/*.md). */
  private static Set<String> knownMetrics() throws IOException {
    Set<String> known = new TreeSet<>(scraped);
    StringBuilder docs = new StringBuilder(Files.readString(PROJECT.resolve("README.md")));
    try (var pages = Files.list(PROJECT.resolve("docs"))) {
      for (Path page : pages.filter(path -> path.toString().endsWith(".md")).sorted().toList()) {
        docs.append('\n').append(Files.readString(page));
      }
    }
    Matcher named = Pattern.compile("`((?:usergate|vertx)_[a-z0-9_]+)").matcher(docs);
    while (named.find()) {
      known.add(named.group(1));
    }
    return known;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> alertExpressions() throws IOException {
    Map<String, Object> rules = new Yaml().load(Files.readString(PROJECT.resolve("ops/prometheus/alerts.yml")));
    Map<String, String> alerts = new LinkedHashMap<>();
    for (Object group : list(rules.get("groups"), "groups")) {
      for (Object rule : list(map(group, "a group").get("rules"), "rules")) {
        alerts.put((String) map(rule, "a rule").get("alert"), (String) map(rule, "a rule").get("expr"));
      }
    }
    return alerts;
  }

  private static Map<String, String> dashboardExpressions() throws IOException {
    JsonObject dashboard = new JsonObject(Files.readString(PROJECT.resolve("ops/grafana/usergate.json")));
    Map<String, String> exprs = new LinkedHashMap<>();
    for (Object panel : dashboard.getJsonArray("panels")) {
      JsonObject p = (JsonObject) panel;
      for (Object target : p.getJsonArray("targets")) {
        exprs.put(p.getString("title") + " " + ((JsonObject) target).getString("refId"), ((JsonObject) target).getString("expr"));
      }
    }
    return exprs;
  }

  @Test
  @DisplayName("the metric parser of this test: names, not functions, labels, matchers or durations")
  void metricNamesOfAnExpression() {
    assertEquals(Set.of("a_total", "b_total"), metricNames(
      "sum by (job, code) (rate(a_total{code=~\"5..\", x=\"{y}\"}[5m])) / on (job) group_left sum(rate(b_total[5m] offset 1h)) > 0.05 and bool 1"));
  }

  @Test
  @DisplayName("every alert and every dashboard panel reads only metrics that exist (a real scrape, or one the documentation names), and the dashboard shows each alert's figures")
  void alertsAndDashboardReadRealMetrics() throws IOException {
    Set<String> known = knownMetrics();
    Map<String, String> alerts = alertExpressions();
    Map<String, String> panels = dashboardExpressions();
    assertEquals(Set.of("UsergateUpstreamBreakerOpen", "UsergateUpstreamPaused", "UsergateSyncJobWaiting",
      "UsergateWriteThroughFailing", "UsergateHighErrorRate"), alerts.keySet());
    Map<String, String> all = new LinkedHashMap<>();
    alerts.forEach((name, expr) -> all.put("alert " + name, expr));
    panels.forEach((name, expr) -> all.put("panel " + name, expr));
    assertAll(all.entrySet().stream().map(entry -> () -> {
      Set<String> names = metricNames(entry.getValue());
      assertFalse(names.isEmpty(), entry.getKey() + " reads no metric: " + entry.getValue());
      Set<String> unknown = new TreeSet<>(names);
      unknown.removeAll(known);
      assertTrue(unknown.isEmpty(), entry.getKey() + " reads " + unknown + ", which neither a scrape nor the documentation (README.md, docs/*.md) has");
    }));
    Set<String> shown = panels.values().stream().flatMap(expr -> metricNames(expr).stream()).collect(Collectors.toSet());
    Set<String> alerted = new LinkedHashSet<>();
    alerts.values().forEach(expr -> alerted.addAll(metricNames(expr)));
    alerted.removeAll(shown);
    assertTrue(alerted.isEmpty(), "the dashboard shows no panel of " + alerted);
    // The scrape itself holds the series the alerts read today (the pending ones aside).
    Set<String> expected = new TreeSet<>(Set.of("usergate_upstream_paused_seconds_total",
      "usergate_sync_oldest_pending_age_seconds", "vertx_http_server_requests_total"));
    expected.removeAll(scraped);
    assertTrue(expected.isEmpty(), "the scrape lacks " + expected);
  }
}
