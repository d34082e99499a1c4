package io.usergate.auth;

import io.vertx.core.json.pointer.JsonPointer;

import java.util.List;
import java.util.Set;

/**
 * Who is calling, once its credential was checked: an API key's caller today, a JWT's later. Its name
 * comes from the configuration (or a verified token), never from the request, so it may label metrics.
 *
 * @param fields the JSON pointers of a user it may see; empty: all of them
 * @param weight its share of the directory against the other callers
 * @param ratePerSecond its quota of requests a second; 0: none
 * @param maxQueued its misses waiting for the directory at most; 0: the node's limit alone
 */
public record Caller(String name, Set<Scope> scopes, List<JsonPointer> fields, int weight, double ratePerSecond,
                     int maxQueued) {

  /** The name of requests without a credential where none is required. */
  public static final String ANONYMOUS_NAME = "anonymous";

  public Caller {
    scopes = Set.copyOf(scopes);
    fields = List.copyOf(fields);
  }

  /** A caller with no credential, on a service that does not require one, allowed {@code scopes}. */
  public static Caller anonymous(Set<Scope> scopes) {
    return new Caller(ANONYMOUS_NAME, scopes, List.of(), 1, 0, 0);
  }

  /** {@code auth.token}'s caller: every scope, every field. */
  public static Caller token() {
    return new Caller("token", Scope.all(), List.of(), 1, 0, 0);
  }

  public boolean may(Scope scope) {
    return scopes.contains(scope);
  }

  /** Whether it sees only some fields of a user. */
  public boolean projects() {
    return !fields.isEmpty();
  }
}
