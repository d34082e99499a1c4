package io.usergate.auth;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** What a caller may do: each route and each bridged address needs one of these. */
public enum Scope {
  /** {@code /users*}, {@code usergate.fetch.*}. */
  USERS_READ("users:read"),
  /** {@code /store/*}, {@code /changes}, {@code usergate.changes.read}, the {@code usergate.user.changed} events. */
  MIRROR_READ("mirror:read"),
  /** Every write route and bus write. */
  SYNC_WRITE("sync:write"),
  /** {@code /sync}, {@code /sync/jobs}, {@code /status}, the dashboard (and {@code /metrics} when not open). */
  STATUS_READ("status:read");

  private final String wire;

  Scope(String wire) {
    this.wire = wire;
  }

  /** Its name in the configuration and in messages, {@code users:read}. */
  public String wire() {
    return wire;
  }

  public static Set<Scope> all() {
    return EnumSet.allOf(Scope.class);
  }

  /**
   * Space-separated scope names, as OAuth 2.0 writes them.
   *
   * @throws IllegalArgumentException naming the unknown scope and the known ones
   */
  public static Set<Scope> parse(String text) {
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    for (String name : text.trim().split("\\s+")) {
      if (name.isEmpty()) {
        continue;
      }
      Scope scope = Arrays.stream(values()).filter(s -> s.wire.equals(name.toLowerCase(Locale.ROOT))).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown scope \"" + name + "\"; known: " + known()));
      scopes.add(scope);
    }
    return scopes;
  }

  /** The known scopes among space-separated names, the others left out (a token's {@code scope} claim names other services' too). */
  public static Set<Scope> granted(String text) {
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    for (String name : text.trim().split("\\s+")) {
      for (Scope scope : values()) {
        if (scope.wire.equals(name)) {
          scopes.add(scope);
        }
      }
    }
    return scopes;
  }

  static String known() {
    return Arrays.stream(values()).map(Scope::wire).collect(Collectors.joining(" "));
  }

  @Override
  public String toString() {
    return wire;
  }
}
