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

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

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

  /** A pair read from disk whose key matches its certificate, numbered in the order they were taken. */
  record Pair(long version, Buffer cert, Buffer key, X509ExtendedKeyManager keyManager, String subject, String notAfter) {

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
    return read(vertx).compose(files -> vertx.executeBlocking(() -> check(vertx, 0, files.get(0), files.get(1))))
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
      return vertx.executeBlocking(() -> check(vertx, served == null ? 0 : served.version() + 1, cert, key))
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
    // Another instance may have taken a later version meanwhile; the numbers only need to grow.
    Pair taken = new Pair(served == null ? 0 : served.version() + 1, pair.cert(), pair.key(), pair.keyManager(),
      pair.subject(), pair.notAfter());
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
  private static Pair check(Vertx vertx, long version, Buffer cert, Buffer key) throws Exception {
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
    return new Pair(version, cert, key, manager, leaf.getSubjectX500Principal().getName(), leaf.getNotAfter().toInstant().toString());
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

  /** Delegates every call to the current pair's key manager. */
  private final class CurrentKeyManager extends X509ExtendedKeyManager {

    private X509ExtendedKeyManager now() {
      return current.keyManager();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return now().getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return now().chooseClientAlias(keyType, issuers, socket);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return now().getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return now().chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return now().chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      return now().chooseEngineClientAlias(keyType, issuers, engine);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return now().getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return now().getPrivateKey(alias);
    }
  }
}
