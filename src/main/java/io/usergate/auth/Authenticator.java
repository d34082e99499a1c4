package io.usergate.auth;

/**
 * Turns a credential into its caller. API keys today ({@link ApiKeys}); a JWT verifier can sit beside
 * them, chosen by the credential's shape.
 */
public interface Authenticator {

  /** The caller whose credential this is, or null when it is nobody's. Never throws for a bad credential. */
  Caller authenticate(String credential);
}
