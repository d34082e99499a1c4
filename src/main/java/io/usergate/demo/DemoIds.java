package io.usergate.demo;

import java.util.Locale;

/**
 * The string ids of the production-like demo shapes, made from the user's number (1..{@code demo.users}) and
 * back, with no table: each id carries its number in its last characters and a hash of it in the rest, so that
 * an id the shape did not make (a hash that does not match) is no user. Keycloak, SCIM servers and Graph use
 * UUIDs (GUIDs), Okta 20 characters ({@code 00u} and 17 letters and digits), Auth0 {@code auth0|} and 24 hex digits.
 */
final class DemoIds {

  private static final String ALPHANUMERIC = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final String AUTH0_PREFIX = "auth0|";

  private DemoIds() {
  }

  /** The id of user {@code number} in {@code shape}'s directory. */
  static String id(DemoShape shape, long number) {
    long hash = mix(number * 31 + shape.ordinal());
    return switch (shape) {
      case OKTA -> {
        StringBuilder id = new StringBuilder("00u");
        long bits = hash;
        for (int i = 0; i < 9; i++) {
          id.append(ALPHANUMERIC.charAt((int) Math.floorMod(bits, 62L)));
          bits = bits / 62 + (i == 4 ? mix(hash) : 0);
        }
        yield id.append(String.format("%8s", Long.toString(number, 36)).replace(' ', '0').toUpperCase(Locale.ROOT)).toString();
      }
      case AUTH0 -> AUTH0_PREFIX + String.format("%016x%08x", hash, number);
      default -> String.format("%08x-%04x-4%03x-%04x-%012x", hash >>> 32, (hash >>> 16) & 0xffff, hash & 0xfff,
        0x8000 | (mix(hash) & 0x3fff), number);
    };
  }

  /** The number of the user {@code id} names in {@code shape}'s directory, or -1 when it names none. */
  static long number(DemoShape shape, String id) {
    long number;
    try {
      number = switch (shape) {
        case OKTA -> id.length() == 20 ? Long.parseLong(id.substring(12).toLowerCase(Locale.ROOT), 36) : -1;
        case AUTH0 -> id.length() == AUTH0_PREFIX.length() + 24 ? Long.parseLong(id.substring(id.length() - 8), 16) : -1;
        default -> id.length() == 36 ? Long.parseLong(id.substring(24), 16) : -1;
      };
    } catch (NumberFormatException e) {
      return -1;
    }
    return number >= 1 && id(shape, number).equals(id) ? number : -1;
  }

  /** SplitMix64's finaliser: the same number every time, spread over all bits. */
  private static long mix(long value) {
    long z = value + 0x9e3779b97f4a7c15L;
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
