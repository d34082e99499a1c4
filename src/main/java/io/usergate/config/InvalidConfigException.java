package io.usergate.config;

/** The configuration cannot be used; the message names the key and where its value came from. */
public final class InvalidConfigException extends IllegalArgumentException {

  public InvalidConfigException(ConfigKey key, String problem, String source) {
    super("invalid configuration: " + key.dotted() + " " + problem + " (from " + source + ")");
  }

  public InvalidConfigException(String message) {
    super("invalid configuration: " + message);
  }
}
