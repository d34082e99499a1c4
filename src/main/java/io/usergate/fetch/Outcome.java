package io.usergate.fetch;

/**
 * What became of one key of a bulk call: its value, or the failure for that key alone (a user the
 * directory left out is {@code NOT_FOUND}, an invalid entry {@code UPSTREAM_ERROR}). A failure of the
 * whole call is the call's failed future, not an outcome.
 */
sealed interface Outcome<V> permits Outcome.Found, Outcome.Failed {

  record Found<V>(V value) implements Outcome<V> {
  }

  record Failed<V>(Throwable error) implements Outcome<V> {
  }

  static <V> Outcome<V> found(V value) {
    return new Found<>(value);
  }

  static <V> Outcome<V> failed(Throwable error) {
    return new Failed<>(error);
  }
}
