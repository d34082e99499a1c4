package io.usergate.web;

import io.usergate.config.StartFailure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The node's server certificate ({@code http.tlsCertPath}, {@code http.tlsKeyPath}): one per node, shared by the
 * web's instances. {@link #refresh} reads both files (through {@code vertx.fileSystem()}) and takes a new pair only
 * when its key matches its certificate: a certificate renamed over the old one before its key (certbot,
 * cert-manager) is not served until the key follows, and that is logged once per pair seen. Each instance polls and
 * updates its own server ({@link HttpVerticle}); the shared state makes the log say each change once.
 * The TCP bridge, which has no {@code updateSSLOptions}, serves {@link #keyManager()}: a key manager that always
 * answers with the current pair, so a new handshake gets the new certificate there too.
 */
final class ServerCertificate implements Shareable {

  private static final Logger LOG = LoggerFactory.getLogger(ServerCertificate.class);
  private static final String MAP = "usergate.web.certificates";
  /** Key types the JDK's key manager answers for; a PEM key is one of them. */
  private static final String[] KEY_TYPES = {"RSA", "EC", "EdDSA", "Ed25519", "RSASSA-PSS"};

  /** A pair read from disk whose key matches its certificate; an instance serves the one it was last given. */
  record Pair(Buffer cert, Buffer key, X509ExtendedKeyManager keyManager, String subject, String notAfter) {

    KeyCertOptions options() {
      return new PemKeyCertOptions().setCertValue(cert).setKeyValue(key);
    }

    boolean sameFiles(Buffer otherCert, Buffer otherKey) {
      return cert.equals(otherCert) && key.equals(otherKey);
    }
  }

  private final String certPath;
  private final String keyPath;
  private volatile Pair current;
  /** The pair taken last and the one before, numbered, for the key manager of servers that cannot be updated. */
  private record Generation(long number, Pair pair) {
  }

  private volatile Generation generation;
  private volatile Generation previousGeneration;
  /** The last pair refused (bytes of both files), so that a refusal is logged once, not at every poll. */
  private Buffer refusedCert;
  private Buffer refusedKey;

  private ServerCertificate(String certPath, String keyPath) {
    this.certPath = certPath;
    this.keyPath = keyPath;
  }

  /** The node's certificate of these files: the same object for every web instance of {@code vertx}. */
  static ServerCertificate of(Vertx vertx, String certPath, String keyPath) {
    LocalMap<String, ServerCertificate> map = vertx.sharedData().getLocalMap(MAP);
    return map.computeIfAbsent(certPath + "\n" + keyPath, paths -> new ServerCertificate(certPath, keyPath));
  }

  /** The pair to serve at start: the one already taken on this node, or a first load, whose failure stops the start. */
  Future<Pair> first(Vertx vertx) {
    Pair pair = current;
    if (pair != null) {
      return Future.succeededFuture(pair);
    }
    return read(vertx).compose(files -> vertx.executeBlocking(() -> check(vertx, files.get(0), files.get(1))))
      .recover(failure -> Future.failedFuture(new StartFailure("cannot serve TLS with http.tlsCertPath " + certPath
        + " and http.tlsKeyPath " + keyPath + ": " + failure.getMessage())))
      .map(this::take);
  }

  /**
   * Reads the files again; completes with the pair to serve now (the current one when nothing changed, or when
   * the new files do not make a pair yet). Never fails: a bad pair is logged once and the current one stays.
   */
  Future<Pair> refresh(Vertx vertx) {
    return read(vertx).compose(files -> {
      Buffer cert = files.get(0);
      Buffer key = files.get(1);
      Pair served = current;
      if (served != null && served.sameFiles(cert, key) || isRefused(cert, key)) {
        return Future.succeededFuture(current);
      }
      return vertx.executeBlocking(() -> check(vertx, cert, key))
        .map(this::take)
        .recover(failure -> {
          refused(cert, key, failure);
          return Future.succeededFuture(current);
        });
    }).recover(unreadable -> {
      // Between the renames of a replacement, or a file removed: the current pair stays; said once.
      refused(null, null, unreadable);
      return Future.succeededFuture(current);
    });
  }

  /** Always answers with the current pair's key and certificate (for a server that cannot be updated). */
  X509ExtendedKeyManager keyManager() {
    return new CurrentKeyManager();
  }

  private Future<List<Buffer>> read(Vertx vertx) {
    return Future.all(vertx.fileSystem().readFile(certPath), vertx.fileSystem().readFile(keyPath)).map(both -> both.list());
  }

  private synchronized Pair take(Pair pair) {
    Pair served = current;
    if (served != null && served.sameFiles(pair.cert(), pair.key())) {
      return served;
    }
    // Instances that read the same files at once all serve the one object taken first.
    Pair taken = pair;
    previousGeneration = generation;
    generation = new Generation(generation == null ? 0 : generation.number() + 1, taken);
    current = taken;
    refusedCert = null;
    refusedKey = null;
    LOG.info("web: TLS certificate {} of {} (valid until {}) {}", taken.subject(), certPath, taken.notAfter(),
      served == null ? "loaded" : "reloaded: served to new connections");
    return taken;
  }

  private synchronized boolean isRefused(Buffer cert, Buffer key) {
    return cert.equals(refusedCert) && key.equals(refusedKey);
  }

  private synchronized void refused(Buffer cert, Buffer key, Throwable why) {
    boolean again = refusedCert == null ? cert == null && refusedKey != null : refusedCert.equals(cert) && refusedKey.equals(key);
    if (again) {
      return;
    }
    refusedCert = cert;
    // A marker for "unreadable", so that it too is said once.
    refusedKey = key == null ? Buffer.buffer() : key;
    LOG.warn("web: TLS files {} and {} not loaded ({}); still serving the certificate loaded before", certPath, keyPath,
      why.getMessage());
  }

  /**
   * Parses the pair and checks that the key is the certificate's: a signature made with the key must verify
   * with the certificate's public key. CPU work, on a worker.
   */
  private static Pair check(Vertx vertx, Buffer cert, Buffer key) throws Exception {
    X509ExtendedKeyManager manager;
    try {
      manager = (X509ExtendedKeyManager) extended(new PemKeyCertOptions().setCertValue(cert).setKeyValue(key)
        .getKeyManagerFactory(vertx).getKeyManagers());
    } catch (Exception e) {
      throw new GeneralSecurityException("not a PEM certificate and key (" + e.getMessage() + ")");
    }
    String alias = alias(manager);
    if (alias == null) {
      throw new GeneralSecurityException("no certificate with a private key found");
    }
    X509Certificate[] chain = manager.getCertificateChain(alias);
    PrivateKey privateKey = manager.getPrivateKey(alias);
    X509Certificate leaf = chain[0];
    if (!matches(privateKey, leaf)) {
      throw new GeneralSecurityException("the key does not match the certificate " + leaf.getSubjectX500Principal().getName());
    }
    return new Pair(cert, key, manager, leaf.getSubjectX500Principal().getName(), leaf.getNotAfter().toInstant().toString());
  }

  private static KeyManager extended(KeyManager[] managers) throws GeneralSecurityException {
    for (KeyManager manager : managers) {
      if (manager instanceof X509ExtendedKeyManager) {
        return manager;
      }
    }
    throw new GeneralSecurityException("no X.509 key manager");
  }

  private static String alias(X509ExtendedKeyManager manager) {
    List<String> aliases = new ArrayList<>();
    for (String type : KEY_TYPES) {
      String[] found = manager.getServerAliases(type, null);
      if (found != null) {
        aliases.addAll(List.of(found));
      }
    }
    return aliases.isEmpty() ? null : aliases.get(0);
  }

  private static boolean matches(PrivateKey privateKey, X509Certificate certificate) throws GeneralSecurityException {
    String algorithm = switch (privateKey.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "EdDSA", "Ed25519" -> "Ed25519";
      case "Ed448" -> "Ed448";
      default -> throw new GeneralSecurityException("keys of type " + privateKey.getAlgorithm() + " are not supported");
    };
    byte[] probe = new byte[32];
    new SecureRandom().nextBytes(probe);
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(privateKey);
    signer.update(probe);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    try {
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException differentKind) {
      // An EC key with an RSA certificate, say: not a pair either.
      return false;
    }
  }

  /**
   * Answers a handshake from the current pair. Its alias carries the pair's generation, so that the certificate
   * chain and the key a handshake asks for next come from the same pair even if a new one is taken meanwhile.
   */
  private final class CurrentKeyManager extends X509ExtendedKeyManager {

    private String tagged(Generation generation, String alias) {
      return alias == null ? null : generation.number() + ":" + alias;
    }

    /** The pair of a tagged alias: the current one or the one before it (a handshake lasts less than a poll). */
    private Generation of(String alias) {
      int colon = alias == null ? -1 : alias.indexOf(':');
      if (colon < 0) {
        return null;
      }
      String number = alias.substring(0, colon);
      for (Generation candidate : new Generation[] {generation, previousGeneration}) {
        if (candidate != null && Long.toString(candidate.number()).equals(number)) {
          return candidate;
        }
      }
      return null;
    }

    private static String untagged(String alias) {
      return alias.substring(alias.indexOf(':') + 1);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      Generation now = generation;
      String[] aliases = now.pair().keyManager().getServerAliases(keyType, issuers);
      if (aliases == null) {
        return null;
      }
      String[] tagged = new String[aliases.length];
      for (int i = 0; i < aliases.length; i++) {
        tagged[i] = tagged(now, aliases[i]);
      }
      return tagged;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      Generation now = generation;
      return tagged(now, now.pair().keyManager().chooseServerAlias(keyType, issuers, socket));
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      Generation now = generation;
      return tagged(now, now.pair().keyManager().chooseEngineServerAlias(keyType, issuers, engine));
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      Generation pair = of(alias);
      return pair == null ? null : pair.pair().keyManager().getCertificateChain(untagged(alias));
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      Generation pair = of(alias);
      return pair == null ? null : pair.pair().keyManager().getPrivateKey(untagged(alias));
    }

    /** A server's key manager: it has no client certificate. */
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      return null;
    }
  }
}
