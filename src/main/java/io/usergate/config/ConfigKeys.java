package io.usergate.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.usergate.config.ConfigKey.bool;
import static io.usergate.config.ConfigKey.callers;
import static io.usergate.config.ConfigKey.fraction;
import static io.usergate.config.ConfigKey.headers;
import static io.usergate.config.ConfigKey.integer;
import static io.usergate.config.ConfigKey.longValue;
import static io.usergate.config.ConfigKey.optionalInteger;
import static io.usergate.config.ConfigKey.optionalString;
import static io.usergate.config.ConfigKey.pointer;
import static io.usergate.config.ConfigKey.pointers;
import static io.usergate.config.ConfigKey.string;
import static io.usergate.config.ConfigKey.template;

/**
 * Every key usergate reads, with its range, its built-in default and what it means: the one table.
 * A key that a file or a {@code -D} names and that is not here is a typo and stops the start; the
 * key table of docs/configuration.md is generated from this one and checked by a test (KeyTableDocTest).
 */
public final class ConfigKeys {

  /** Keys kept for one release, each with the key that replaces it (the start log warns when a layer sets one). */
  public static final Map<String, String> DEPRECATED = Map.of(
    "cache.hotUsers", "cache.memoryBytes",
    "cache.storeHotBytes", "cache.memoryBytes");

  public static final List<ConfigKey> ALL = List.of(
    string("http.host", "127.0.0.1", "address the routes listen on"),
    integer("http.port", 0, 65535, 8080, "port of the routes (0: any free port)"),
    integer("http.instances", 0, 1024, 0, "instances of the web verticle, sharing the port and the node's cache; "
      + "0: one per event loop (twice the cores)"),
    integer("http.shutdownGraceMs", 0, 600_000, 5000, "grace for requests in flight at shutdown"),
    integer("http.drainDelayMs", 0, 600_000, 500, "readiness is 503 this long before the server stops accepting"),
    integer("http.maxBodyBytes", 1, 1_073_741_824, 1_048_576, "request body limit; beyond it 413"),
    integer("http.requestTimeoutMs", 1, 3_600_000, 30_000, "longest wait of a route for its bus answer"),
    string("http.allowedOrigins", "", "comma-separated origins (scheme://host[:port], http or https, no path) whose browser "
      + "pages may use usergate besides its own (the dashboard), with CORS; empty: only its own"),
    integer("http.maxRequestLineBytes", 4096, 16_777_216, 32_768,
      "longest request line; must hold upstream.maxIdsPerRequest ids as ?ids=1&ids=2 (checked at start)"),
    integer("http.idleTimeoutMs", 0, 86_400_000, 60_000,
      "a connection that sends and receives nothing this long (idle keep-alive, half a request) is closed; 0: never"),
    bool("http.accessLog", false, "a log line per request (method, path, status, time, request id)"),
    optionalString("http.tlsCertPath", "PEM certificate chain of HTTPS (HTTP/2 by ALPN) on the routes and the SockJS bridge, "
      + "with http.tlsKeyPath; a file replaced on disk (renamed over, as certbot and cert-manager do) is served to new "
      + "connections within 10 s, once its key matches; empty: plain HTTP"),
    optionalString("http.tlsKeyPath", "PEM private key (PKCS#8, PKCS#1 or SEC1, unencrypted) of http.tlsCertPath"),
    string("log.format", "text", "text: one line an event; json: one Elastic Common Schema object a line (@timestamp, log.level, message, "
      + "http.request.id, error.stack_trace)"),
    optionalString("auth.token", "a key of every scope: the caller named token (Authorization: Bearer TOKEN or "
      + "X-API-Key: TOKEN)").masked(),
    callers("auth.callers", "named callers, each {\"keySha256\": the hex SHA-256 of its key (absent with auth.jwtIssuer: "
      + "known by its JWTs' azp only), \"scopes\": space-separated "
      + "from users:read mirror:read sync:write status:read, optionally \"fields\": comma-separated JSON pointers it may "
      + "see of a user, \"weight\", \"ratePerSecond\", \"maxQueued\"}"),
    string("auth.required", "auto", "whether every request needs a caller's key: auto (when auth.callers or "
      + "auth.jwtIssuer is set or http.host is not loopback), true, false; /health/* is always open"),
    optionalString("auth.jwtIssuer", "issuer of the callers' JWT bearer tokens (their iss), http or https, e.g. "
      + "https://idp.example/realms/apps: its OpenID discovery document names the JWKS; with auth.jwtAudience; empty: "
      + "no JWT callers"),
    optionalString("auth.jwtAudience", "what a caller's JWT must hold in its aud to be for usergate, e.g. usergate"),
    bool("auth.metricsOpen", true, "serve /metrics to anyone; false: it needs the scope status:read"),
    integer("health.timeoutMs", 1, 600_000, 2000, "timeout of each readiness check"),
    string("upstream.preset", "none", "a kind of directory whose paths, mapping, bulk read, list paging and token settings "
      + "are set as a layer above the defaults (every key it sets can still be overridden): none, jsonplaceholder, "
      + "dummyjson, keycloak, scim, okta, entra or auth0 (docs/fronting-a-directory.md)"),
    optionalString("upstream.baseUrl", "the directory, e.g. https://directory.example; empty: the demo directory"),
    string("upstream.userPath", "/users/{id}", "path of one user: an RFC 6570 template whose {id} is replaced by the "
      + "id, percent-encoded (auth0|5457… becomes auth0%7C5457…)"),
    headers("upstream.headers", "headers sent on every upstream call, as a JSON object: credentials such as "
      + "{\"x-api-key\": \"...\"} or {\"Authorization\": \"Bearer ...\"}; their values are never logged or shown").masked(),
    optionalString("upstream.tokenUrl", "OAuth2 token endpoint of the directory (client credentials grant), e.g. "
      + "https://login.microsoftonline.com/TENANT/oauth2/v2.0/token: every upstream call then carries Authorization: "
      + "Bearer and a token renewed before it expires; empty: no token"),
    optionalString("upstream.clientId", "the client id at upstream.tokenUrl (with upstream.clientSecret)"),
    optionalString("upstream.clientSecret", "the client secret at upstream.tokenUrl; never logged or shown").masked(),
    optionalString("upstream.tokenScope", "scope of the token asked for, space-separated, e.g. "
      + "https://graph.microsoft.com/.default; empty: none sent"),
    optionalString("upstream.tokenAudience", "audience of the token asked for (Auth0: the API's identifier, e.g. "
      + "https://TENANT.auth0.com/api/v2/); empty: none sent"),
    string("upstream.clientAuth", "basic", "how the client authenticates at upstream.tokenUrl: basic (an Authorization: "
      + "Basic header, RFC 6749 2.3.1) or post (client_id and client_secret in the form, as Auth0 wants)"),
    optionalString("upstream.tlsCaPath", "PEM certificates of the CAs trusted for the directory and its token endpoint "
      + "(a private CA), instead of the JVM's; hostnames are still verified; empty: the JVM's trust store"),
    optionalString("upstream.tlsCertPath", "PEM client certificate for mutual TLS with the directory and its token "
      + "endpoint, with upstream.tlsKeyPath; empty: none"),
    optionalString("upstream.tlsKeyPath", "PEM private key of upstream.tlsCertPath"),
    integer("upstream.timeoutMs", 1, 600_000, 2000, "deadline of one attempt (connection wait included)"),
    integer("upstream.retries", 0, 10, 2, "retries of 5xx, 429 and refused connections"),
    integer("upstream.retryBaseDelayMs", 1, 60_000, 100, "first backoff; doubles each retry (jittered, at most 2 s)"),
    integer("upstream.maxConcurrent", 1, 10_000, 64, "upstream requests in flight (per process)"),
    integer("upstream.maxQueued", 0, 1_000_000, 10_000, "requests waiting for a slot; beyond it OVERLOADED"),
    integer("upstream.queueTimeoutMs", 1, 3_600_000, 30_000, "longest wait for a slot; beyond it OVERLOADED"),
    integer("upstream.maxRatePerSecond", 0, 1_000_000, 0,
      "upstream requests in any one-second window at the most, paced evenly (with upstream.budget cluster: for the "
      + "whole cluster); 0: no limit"),
    integer("upstream.maxBurst", 1, 1_000_000, 1, "calls that may leave at once after a quiet spell; above 1 a "
      + "one-second window may hold up to maxRatePerSecond + maxBurst - 1 calls (only for a directory whose own limit "
      + "allows such bursts)"),
    integer("upstream.rateMarginMs", 0, 10_000, 20, "every maxRatePerSecond + 1 calls are spread over a second plus "
      + "this, so that the network's jitter never puts one more call in the directory's second; calls run at "
      + "1000 / (1000 + margin) of the rate"),
    integer("upstream.maxPauseMs", 0, 3_600_000, 60_000,
      "longest pause of every upstream call on a 429 or 503 with Retry-After; 0: Retry-After ignored"),
    bool("upstream.rateLimitHeaders", true, "keep to the budget the directory announces in its rate-limit headers "
      + "(RateLimit/RateLimit-Policy, RateLimit-*, X-RateLimit-*, X-Rate-Limit-*), per endpoint: calls spread over the "
      + "time to its reset, none when it is spent; false: only Retry-After is heeded"),
    integer("upstream.rateLimitReserve", 0, 1_000_000, 1, "calls of each window of the budget the directory announces "
      + "that are never spent: room for other clients of the same budget, such as the other nodes of a cluster (give "
      + "each a call or more)"),
    string("upstream.budget", "node",
      "node: maxConcurrent and maxRatePerSecond are per node; cluster: they are totals, each node taking its share"),
    integer("upstream.maxIdsPerRequest", 1, 100_000, 1000, "ids in one fetch.many, GET /users?ids= or POST /users/batch"),
    integer("upstream.maxBodyBytes", 1, 1_073_741_824, 1_048_576,
      "largest upstream answer; beyond it the request is reset and the caller gets UPSTREAM_ERROR"),
    string("upstream.batchPath", "", "RFC 6570 template of the directory's bulk endpoint, with id (/users{?id*}) or ids "
      + "(/users?ids={ids}), or filter and count with upstream.batchFilter (/Users{?filter,count}); empty: none, one GET per user"),
    optionalString("upstream.batchFilter", "a bulk read by a filter expression: each id's term, {id} standing for the "
      + "id (escaped for the quotes around it: \\\" inside \"\", '' inside ''), e.g. id eq \"{id}\"; the terms joined by "
      + "upstream.batchFilterJoin are {filter} in upstream.batchPath, and the number of ids is {count}; empty: none"),
    string("upstream.batchFilterJoin", " or ", "what joins the terms of upstream.batchFilter, e.g. \" or \" (SCIM, Okta) or \",\" "
      + "(Graph's id in (...))"),
    integer("upstream.batchDelayMs", 0, 60_000, 2, "misses arriving within this window are fetched in one bulk call"),
    integer("upstream.maxBatchSize", 1, 10_000, 100, "ids in one bulk call at the most"),
    bool("upstream.breakerEnabled", true, "the circuit breaker"),
    integer("upstream.breakerMaxFailures", 1, 1_000_000, 20,
      "failed attempts within upstream.breakerWindowMs, with no success between them, that open the breaker"),
    integer("upstream.breakerWindowMs", 1000, 3_600_000, 10_000,
      "the breaker's rolling window of failures, in whole seconds"),
    integer("upstream.breakerResetMs", 1, 3_600_000, 5000, "open to half-open after this"),
    integer("upstream.writeThroughDelayMs", 0, 60_000, 5, "window that batches write-throughs into one upsert"),
    integer("upstream.writeThroughMinIntervalMs", 0, 3_600_000, 60_000,
      "a user fetched again with identical content within this time of its last write is not rewritten; 0: always"),
    longValue("cache.freshForMs", 0, 31_536_000_000L, 60_000,
      "a mirror copy fetched within this time is answered with no upstream call; 0: always live"),
    longValue("cache.staleWhileRevalidateMs", 0, 31_536_000_000L, 0,
      "a copy older than freshForMs by less than this is answered at once and refreshed in the background"),
    longValue("cache.notFoundForMs", 0, 31_536_000_000L, 60_000,
      "a 404 from the upstream is remembered (per node) this long and answered without an upstream call"),
    longValue("cache.memoryBytes", 0, 68_719_476_736L, 67_108_864L, "bytes of users' JSON each node keeps in memory, "
      + "one cache for the web's hits, fetch and the store (the least used go first; a change drops a user on every node); 0: none"),
    longValue("cache.storeHotBytes", 0, 68_719_476_736L, 67_108_864L, "deprecated, use cache.memoryBytes: "
      + "when cache.memoryBytes is not set, its value bounds the cache (0: none)"),
    integer("cache.hotUsers", 0, 10_000_000, 10_000, "deprecated, use cache.memoryBytes: a count of users, which a byte "
      + "bound cannot honour; only its 0 (no cache) still holds"),
    pointer("mapping.id", "/id", "JSON pointer to the user's id in what the directory sends (a string, or an integer read as its decimal text)"),
    template("mapping.name", "{/name}", false, "the user's name: JSON pointers in braces with text between, e.g. "
      + "{/firstName} {/lastName}; a missing field renders empty; the result is trimmed; empty is UPSTREAM_ERROR"),
    template("mapping.username", "{/username}", true, "the username, as mapping.name; empty: not mapped"),
    template("mapping.email", "{/email}", true, "the email, as mapping.name; empty: not mapped"),
    pointer("mapping.userPointer", null, "where the user sits in a one-user answer, e.g. /data; empty: the whole answer"),
    pointer("mapping.listPointer", null,
      "where the array of users sits in a bulk or list answer, e.g. /users; empty: the answer is the array"),
    pointers("mapping.drop", "fields removed from every user before it is stored, served, published or logged, "
      + "as comma-separated JSON pointers, e.g. /password,/ssn,/bank/cardNumber"),
    pointers("mapping.keep", "the opposite of mapping.drop (not with it): only these fields are kept, with the mapped "
      + "id, name, username, email and active"),
    optionalString("mapping.active", "where the directory says a user is active: a JSON pointer to its flag (/active, "
      + "/enabled, /accountEnabled: false is inactive), or a pointer and the values that mean inactive, read as text "
      + "(/status!=DEPROVISIONED,SUSPENDED); nothing there is active. Every user then gets \"active\": true or false; "
      + "empty: no rule"),
    integer("sync.intervalMs", 1, 86_400_000, 1000, "the sync's periodic tick; a job that falls due before it "
      + "(a failed one after its backoff) runs when due, an enqueue at once"),
    integer("sync.batchSize", 1, 100_000, 500, "jobs claimed per batch"),
    integer("sync.leaseMs", 100, 86_400_000, 60_000, "lease of a claim; after it another instance may take the jobs"),
    integer("sync.maxAttempts", 1, 1000, 5, "failed attempts before a job is failed"),
    integer("sync.retryBaseDelayMs", 0, 86_400_000, 1000, "first backoff of a failed job; also the least time from "
      + "one batch's start to a batch started because a job fell due"),
    integer("sync.retryMaxDelayMs", 0, 604_800_000, 300_000, "longest backoff of a failed job"),
    integer("sync.shutdownGraceMs", 0, 600_000, 5000, "grace of the batch in flight on undeploy"),
    integer("sync.refreshIntervalMs", 1, 604_800_000, 60_000, "how often stale users are enqueued"),
    longValue("sync.refreshAfterMs", 1, 31_536_000_000L, 86_400_000L, "a user fetched longer ago is stale"),
    string("sync.listPath", "", "RFC 6570 template of the directory's paged list (the first page, with listNext link, "
      + "url, token), with limit/max/count and skip/offset/_start/first (0-based), startIndex (1-based), page/_page "
      + "(1-based) or page0 (0-based page), e.g. /users{?limit,skip}; empty: no walk"),
    integer("sync.listPageSize", 1, 1000, 100, "users asked for in one page of the walk"),
    string("sync.listNext", "offset", "how the walk finds the next page: offset (the position in sync.listPath), link "
      + "(the Link header's rel=\"next\"), url (a next URL at sync.listNextPointer), token (a token at "
      + "sync.listNextPointer, sent back as sync.listTokenParam) or scim (startIndex/count/totalResults)"),
    pointer("sync.listNextPointer", null, "JSON pointer to the next page's URL (listNext url, e.g. /@odata.nextLink) "
      + "or token (listNext token, e.g. /nextPageToken) in a page"),
    string("sync.listTokenParam", "", "query parameter that carries the next page's token back (listNext token, "
      + "e.g. pageToken)"),
    longValue("sync.walkIntervalMs", 0, 31_536_000_000L, 0, "how often a walk of the whole directory starts (or resumes); "
      + "0: only on demand (POST /sync/walk)"),
    integer("sync.walkPagesInFlight", 1, 64, 4, "pages of a walk fetched ahead while the one before is stored"),
    string("sync.inactive", "keep", "a user mapping.active marks inactive: keep (stored and served, with \"active\": "
      + "false) or remove (not stored, removed from the mirror with removed in the change feed, answered 404 saying why), "
      + "wherever it comes from: a fetch, the bulk read, the sync's jobs, the walk's pages"),
    fraction("sync.walkMaxRemoveFraction", 0.1, "a complete walk that would remove more than this share of the mirror "
      + "removes nothing and says so"),
    string("sync.deltaPath", "", "RFC 6570 template of the directory's delta query (Graph: /users/delta{?$select}): "
      + "the first round pages to the delta link, storing every user, then the link is polled every "
      + "sync.deltaIntervalMs; empty: no delta sync"),
    pointer("sync.deltaNextPointer", "/@odata.nextLink", "JSON pointer to the next page's URL in a delta page"),
    pointer("sync.deltaLinkPointer", "/@odata.deltaLink", "JSON pointer to the delta link in the last page of a delta round"),
    pointer("sync.deltaRemovedPointer", "/@removed", "JSON pointer, in an entry of a delta page, that marks a user "
      + "removed from the directory (Graph: {\"id\": ..., \"@removed\": {\"reason\": ...}})"),
    string("sync.changedSincePath", "", "template of a filter-based changed-since list, with {since} (RFC 3339, "
      + "percent-encoded by usergate with the query's spaces and quotes) and the position variables of sync.listPath, "
      + "paged as sync.listNext says, e.g. /Users?filter=meta.lastModified gt \"{since}\"&startIndex={startIndex}"
      + "&count={limit}; empty: none"),
    longValue("sync.deltaIntervalMs", 1, 31_536_000_000L, 60_000, "how often the delta link (or the changed-since "
      + "list) is polled"),
    longValue("sync.changedSinceOverlapMs", 0, 86_400_000, 60_000, "each changed-since poll asks from this long before "
      + "the start of the last complete one, for the clocks' skew and writes in flight"),
    bool("changes.enabled", true, "record every change of the mirror in the change feed (user_changes, GET /changes, "
      + "usergate.user.changed)"),
    longValue("changes.retainMs", 1000, 31_536_000_000L, 604_800_000L, "changes older than this are trimmed from the feed"),
    longValue("changes.trimIntervalMs", 1000, 86_400_000L, 60_000, "how often each node's store trims the feed of the "
      + "changes older than changes.retainMs"),
    string("cluster.name", "usergate", "Hazelcast cluster name (nodes with other names never join)"),
    string("cluster.host", "127.0.0.1", "interface Hazelcast and the clustered event bus bind to"),
    integer("cluster.port", 1, 65535, 5701, "first Hazelcast port (the next 19 are tried too)"),
    string("cluster.members", "127.0.0.1", "comma-separated member addresses (TCP-IP join)"),
    string("cluster.join", "tcp", "how members find each other: tcp (the cluster.members list) or kubernetes (the DNS "
      + "name of a headless Service, cluster.kubernetesService)"),
    optionalString("cluster.kubernetesService", "with cluster.join kubernetes: the headless Service's DNS name, e.g. "
      + "usergate-hazelcast.NAMESPACE.svc.cluster.local; every address it resolves to is a member"),
    optionalInteger("bridge.tcpPort", 0, 65535, "port of the TCP event-bus bridge; empty: off"),
    bool("bridge.tcpTls", false, "serve the TCP event-bus bridge over TLS with the certificate of http.tlsCertPath "
      + "(reloaded with it)"),
    bool("demo.enabled", true, "serve the demo directory (the upstream when upstream.baseUrl is empty)"),
    string("demo.host", "127.0.0.1", "address of the demo directory"),
    integer("demo.port", 0, 65535, 8081, "port of the demo directory (0: any free port)"),
    integer("demo.users", 0, 100_000_000, 10_000, "ids 1..users exist in the demo directory"),
    integer("demo.latencyMs", 0, 600_000, 50, "the demo directory's answer delay"),
    integer("demo.jitterMs", 0, 600_000, 20, "random extra delay, up to this"),
    fraction("demo.errorRate", 0.0, "share of demo answers that are 503"),
    fraction("demo.hangRate", 0.0, "share of demo requests never answered"),
    integer("demo.maxRatePerSecond", 0, 1_000_000, 0,
      "requests a second the demo directory serves; beyond, 429 with Retry-After (like a rate-limited directory); 0: no limit"),
    string("demo.shape", "plain", "the demo directory's answers: plain (id, name, username, email, ...), dummyjson "
      + "(firstName, lastName, password, ssn, bank, crypto; lists as {users, total, skip, limit}), enveloped "
      + "({data: user, support}, first_name, last_name), or a production directory with string ids, its paging, rate-limit "
      + "headers and credentials: keycloak, scim, okta, entra, auth0 (under their base paths: /admin/realms/demo, "
      + "/scim/v2, /, /v1.0, /api/v2)"),
    string("demo.clientId", "usergate-demo", "the client the demo directory's token endpoint knows (shapes keycloak, "
      + "entra, auth0)"),
    string("demo.clientSecret", "demo-secret", "its secret; also the demo's static credential of the shapes scim "
      + "(Authorization: Bearer SECRET) and okta (Authorization: SSWS SECRET)").masked(),
    integer("demo.tokenLifetimeSeconds", 1, 86_400, 300, "lifetime (expires_in) of the demo's tokens; a call with an "
      + "expired or unknown token is 401"),
    longValue("demo.deltaLinkMaxAgeMs", 1, 31_536_000_000L, 604_800_000L, "shape entra: a delta link older than this "
      + "is refused as Graph refuses it (400 syncStateNotFound; Graph: 7 days)"),
    headers("demo.requiredHeaders", "headers every demo request must carry (an API key), as a JSON object; "
      + "without them 401").masked(),
    optionalString("pg.host", "an external PostgreSQL; empty: the embedded one"),
    integer("pg.port", 0, 65535, 5432, "its port (the embedded server takes a free port)"),
    string("pg.database", "usergate", "database (created in the embedded server)"),
    string("pg.user", "postgres", "user"),
    optionalString("pg.password", "password").masked(),
    string("pg.dataDir", "data/pg", "data folder of the embedded server"),
    integer("pg.maxSize", 1, 1000, 8, "connections in the pool"),
    integer("pg.maxWaitQueueSize", 0, 1_000_000, 1000, "callers waiting for a connection; beyond it OVERLOADED"),
    integer("pg.readPoolSize", 1, 1000, 2, "connections of the pipelined client for single-statement reads"),
    integer("pg.connectionTimeoutMs", 1, 600_000, 5000,
      "wait for a pooled connection, and the TCP connect timeout; beyond it STORE_UNAVAILABLE"),
    integer("pg.scopeTimeoutMs", 1, 3_600_000, 10_000, "deadline of one unit of work (connection wait included)"),
    integer("pg.idleTimeoutMs", 0, 86_400_000, 60_000, "an idle connection is closed after this"),
    integer("pg.maxLifetimeMs", 0, 86_400_000, 1_800_000, "a connection is replaced after this"),
    integer("pg.pipeliningLimit", 1, 10_000, 256, "statements pipelined on one connection"),
    integer("pg.preparedStatementCacheSize", 0, 100_000, 256, "prepared statements cached per connection (0: off)")
  );

  private static final Map<String, ConfigKey> BY_NAME = new LinkedHashMap<>();

  static {
    ALL.forEach(key -> BY_NAME.put(key.dotted(), key));
  }

  private ConfigKeys() {
  }

  public static Optional<ConfigKey> find(String section, String name) {
    return Optional.ofNullable(BY_NAME.get(section + "." + name));
  }

  /** The key, or an error: code that reads a key the table does not have is a bug. */
  public static ConfigKey get(String section, String name) {
    return find(section, name).orElseThrow(() -> new IllegalArgumentException("no configuration key " + section + "." + name));
  }

  public static boolean isSection(String section) {
    return ALL.stream().anyMatch(key -> key.section().equals(section));
  }
}
