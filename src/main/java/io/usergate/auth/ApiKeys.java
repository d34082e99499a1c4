package io.usergate.auth;

import io.usergate.config.Pointers;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The API keys of {@code auth.callers} (and {@code auth.token}'s): only their SHA-256 is kept, and a key
 * is found by comparing its hash with every one of them in constant time ({@link MessageDigest#isEqual}),
 * so neither the time taken nor an early exit tells a guesser how close it came.
 */
public final class ApiKeys implements Authenticator {

  /** A caller's name becomes a metric label and a log field: short, and plain characters only. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{64}");
  private static final Set<String> FIELDS = Set.of("keySha256", "scopes", "fields", "weight", "ratePerSecond", "maxQueued");
  /** Names usergate gives itself. */
  /** The caller that {@code auth.token} is. */
  public static final String TOKEN_CALLER = "token";
  private static final Set<String> RESERVED = Set.of(Caller.ANONYMOUS_NAME, TOKEN_CALLER, JwtCallers.JWT_CALLER);

  /** A caller and the hash of its key; null for a caller known by its JWTs only ({@code auth.jwtIssuer}). */
  public record Keyed(Caller caller, byte[] keySha256) {
  }

  private final List<Keyed> keys;

  public ApiKeys(List<Keyed> keys) {
    this.keys = List.copyOf(keys);
  }

  /** {@code callers} and, when not null, {@code token} as the caller {@code token} with every scope. */
  public static ApiKeys of(List<Keyed> callers, String token) {
    List<Keyed> keys = new ArrayList<>(callers);
    if (token != null) {
      keys.add(new Keyed(Caller.token(), sha256(token)));
    }
    return new ApiKeys(keys);
  }

  public boolean isEmpty() {
    return keys.isEmpty();
  }

  public List<Caller> callers() {
    return keys.stream().map(Keyed::caller).toList();
  }

  @Override
  public Caller authenticate(String credential) {
    byte[] given = sha256(credential);
    Caller found = null;
    for (Keyed key : keys) {
      // No early exit: every hash is compared.
      if (key.keySha256() != null && MessageDigest.isEqual(given, key.keySha256()) && found == null) {
        found = key.caller();
      }
    }
    return found;
  }

  public static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  /**
   * {@code auth.callers}: a JSON object of caller names to {@code keySha256} (absent: a caller known by its JWTs
   * {@code azp} only), {@code scopes} and optionally
   * {@code fields}, {@code weight}, {@code ratePerSecond}, {@code maxQueued}.
   *
   * @throws IllegalArgumentException naming the caller and its entry that is wrong (never a key)
   */
  public static List<Keyed> parse(Object value) {
    if (!(value instanceof JsonObject object)) {
      throw new IllegalArgumentException("is not a JSON object of caller names to {\"keySha256\": ..., \"scopes\": ...}");
    }
    List<Keyed> keyed = new ArrayList<>();
    for (Map.Entry<String, Object> entry : object) {
      String name = entry.getKey();
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("names a caller that is not 1 to 64 letters, digits, '.', '_' or '-'");
      }
      if (RESERVED.contains(name)) {
        throw new IllegalArgumentException("names a caller \"" + name + "\": usergate uses that name itself");
      }
      if (!(entry.getValue() instanceof JsonObject fields)) {
        throw new IllegalArgumentException("caller " + name + " is not a JSON object");
      }
      keyed.add(caller(name, fields));
    }
    List<String> hashes = keyed.stream().filter(k -> k.keySha256() != null)
      .map(k -> HexFormat.of().formatHex(k.keySha256())).toList();
    if (hashes.stream().distinct().count() < hashes.size()) {
      throw new IllegalArgumentException("gives two callers the same keySha256: a key names one caller");
    }
    return keyed;
  }

  private static Keyed caller(String name, JsonObject fields) {
    for (String field : fields.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw new IllegalArgumentException("caller " + name + " has an unknown entry \"" + field + "\"; known: " + FIELDS);
      }
    }
    Object hex = fields.getValue("keySha256");
    // No key: a caller known by its JWTs only (the start checks that auth.jwtIssuer is set).
    if (hex != null && !(hex instanceof String text && HEX.matcher(text).matches())) {
      throw new IllegalArgumentException("caller " + name + ": keySha256 is not 64 hex digits (the SHA-256 of its key, "
        + "e.g. printf %s \"$KEY\" | sha256sum)");
    }
    if (!(fields.getValue("scopes") instanceof String scopeText) || scopeText.isBlank()) {
      throw new IllegalArgumentException("caller " + name + ": scopes is missing; space-separated, from " + Scope.known());
    }
    Set<Scope> scopes;
    List<JsonPointer> visible;
    try {
      scopes = Scope.parse(scopeText);
      Object pointers = fields.getValue("fields");
      if (pointers != null && !(pointers instanceof String)) {
        throw new IllegalArgumentException("fields is not a string of comma-separated JSON pointers such as /id,/name");
      }
      visible = Pointers.list((String) pointers);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("caller " + name + ": " + e.getMessage());
    }
    int weight = whole(name, fields, "weight", 1, 1, 1000);
    int maxQueued = whole(name, fields, "maxQueued", 0, 0, 10_000_000);
    Object rate = fields.getValue("ratePerSecond", 0);
    if (!(rate instanceof Number number) || number.doubleValue() < 0 || number.doubleValue() > 1_000_000) {
      throw new IllegalArgumentException("caller " + name + ": ratePerSecond is not a number from 0 to 1000000 (0: none)");
    }
    return new Keyed(new Caller(name, scopes, visible, weight, number.doubleValue(), maxQueued),
      hex == null ? null : HexFormat.of().parseHex(((String) hex).toLowerCase()));
  }

  private static int whole(String name, JsonObject fields, String field, int fallback, int min, int max) {
    Object value = fields.getValue(field, fallback);
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < min
      || ((Number) value).longValue() > max) {
      throw new IllegalArgumentException("caller " + name + ": " + field + " is not an integer from " + min + " to " + max);
    }
    return ((Number) value).intValue();
  }
}
