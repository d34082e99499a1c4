package io.usergate.support;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A certificate authority made at test time, and the certificates it signs: nothing private is committed.
 * Keys are EC P-256 (fast to make); certificates name localhost and 127.0.0.1, so hostname verification stays on.
 * Files are PEM, as usergate reads them (certificate; PKCS#8 key).
 */
public final class TestCertificates {

  private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

  /** A certificate, its key, and the serial that tells it apart from the next one. */
  public record Issued(X509Certificate certificate, PrivateKey key) {

    public BigInteger serial() {
      return certificate.getSerialNumber();
    }

    /** Writes the certificate and the key as PEM files in {@code folder}, named {@code name}.crt and .key. */
    public PemFiles written(Path folder, String name) throws IOException {
      Path cert = folder.resolve(name + ".crt");
      Path keyFile = folder.resolve(name + ".key");
      Files.writeString(cert, pem("CERTIFICATE", encoded(certificate)));
      Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
      return new PemFiles(cert, keyFile);
    }

    /** This pair for a Vert.x server or client. */
    public PemKeyCertOptions options() throws IOException {
      return new PemKeyCertOptions().setCertValue(Buffer.buffer(pem("CERTIFICATE", encoded(certificate))))
        .setKeyValue(Buffer.buffer(pem("PRIVATE KEY", key.getEncoded())));
    }
  }

  /** The two files of a pair. */
  public record PemFiles(Path cert, Path key) {
  }

  private final String name;
  private final KeyPair keys;
  private final X509Certificate certificate;

  private TestCertificates(String name) throws Exception {
    this.name = name;
    this.keys = keyPair();
    X500Name subject = new X500Name("CN=" + name);
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
      Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject, keys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    this.certificate = sign(builder, keys.getPrivate());
  }

  /** A new certificate authority, {@code CN=name}. */
  public static TestCertificates authority(String name) throws Exception {
    return new TestCertificates(name);
  }

  /** A server certificate for localhost and 127.0.0.1, {@code CN=commonName}, signed by this authority. */
  public Issued server(String commonName) throws Exception {
    return issue(commonName, KeyPurposeId.id_kp_serverAuth);
  }

  /** A client certificate (mutual TLS), {@code CN=commonName}, signed by this authority. */
  public Issued client(String commonName) throws Exception {
    return issue(commonName, KeyPurposeId.id_kp_clientAuth);
  }

  /** This authority's certificate as a PEM file, for {@code upstream.tlsCaPath}. */
  public Path caFile(Path folder) throws IOException {
    Path file = folder.resolve(name + "-ca.crt");
    Files.writeString(file, pem("CERTIFICATE", encoded(certificate)));
    return file;
  }

  /** Trust in this authority only, for a test's client or server. */
  public PemTrustOptions trust() {
    return new PemTrustOptions().addCertValue(Buffer.buffer(pem("CERTIFICATE", encoded(certificate))));
  }

  /**
   * Replaces {@code target} by {@code content} as certbot and cert-manager do: written beside it, then renamed
   * over it in one step, so that a reader sees the old file or the new one, never half of one.
   */
  public static void replace(Path target, Path content) throws IOException {
    Path beside = target.resolveSibling(target.getFileName() + ".new");
    Files.copy(content, beside, StandardCopyOption.REPLACE_EXISTING);
    Files.move(beside, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private Issued issue(String commonName, KeyPurposeId purpose) throws Exception {
    KeyPair pair = keyPair();
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(),
      Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), new X500Name("CN=" + commonName),
      pair.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
    builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
    builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
      new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
    return new Issued(sign(builder, keys.getPrivate()), pair.getPrivate());
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder builder, PrivateKey signer) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
  }

  private static KeyPair keyPair() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(SERIALS.incrementAndGet());
  }

  private static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
      + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
      + "\n-----END " + type + "-----\n";
  }
}
