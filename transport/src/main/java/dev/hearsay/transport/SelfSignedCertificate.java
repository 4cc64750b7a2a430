package dev.hearsay.transport;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * A fresh EC P-256 key pair and a minimal self-signed X.509 v3 certificate for it, encoded here in DER: the JDK
 * has no public API to create certificates, and the only other options are a dependency (BouncyCastle, several
 * MB) or internal {@code sun.security.x509} classes that Java 17 does not export.
 * <p>
 * The certificate is not meant to be trusted by anyone: TLS only provides encryption here, and the peer is
 * authenticated by the Ed25519 identity handshake, which signs the SHA-256 of both sides' certificates (see
 * {@link Handshake}). So it carries the minimum: serial, issuer = subject = CN, validity, key, ECDSA signature.
 */
final class SelfSignedCertificate
{
    // Object identifiers, DER content bytes.
    private static final byte[] OID_ECDSA_WITH_SHA256 = {0x2A, (byte)0x86, 0x48, (byte)0xCE, 0x3D, 0x04, 0x03, 0x02};
    private static final byte[] OID_COMMON_NAME = {0x55, 0x04, 0x03};

    private static final int SEQUENCE = 0x30;
    private static final int SET = 0x31;
    private static final int INTEGER = 0x02;
    private static final int BIT_STRING = 0x03;
    private static final int OID = 0x06;
    private static final int UTF8_STRING = 0x0C;
    private static final int UTC_TIME = 0x17;
    private static final int GENERALIZED_TIME = 0x18;
    private static final int EXPLICIT_0 = 0xA0;

    private final PrivateKey privateKey;
    private final X509Certificate certificate;
    private final byte[] encoded;
    private final byte[] sha256;

    private SelfSignedCertificate(final PrivateKey privateKey, final X509Certificate certificate, final byte[] der)
    {
        this.privateKey = privateKey;
        this.certificate = certificate;
        this.encoded = der;
        this.sha256 = sha256(der);
    }

    /** Generates a key pair and a certificate for {@code commonName}, valid from a day ago for ten years. */
    static SelfSignedCertificate generate(final String commonName)
    {
        try
        {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            final KeyPair pair = generator.generateKeyPair();

            final byte[] serial = new byte[16];
            new SecureRandom().nextBytes(serial);
            serial[0] &= 0x7F; // positive
            serial[0] |= 0x01; // and no leading zero byte to strip
            final byte[] algorithm = der(SEQUENCE, der(OID, OID_ECDSA_WITH_SHA256));
            final byte[] name = der(SEQUENCE, der(SET, der(SEQUENCE,
                der(OID, OID_COMMON_NAME), der(UTF8_STRING, commonName.getBytes(StandardCharsets.UTF_8)))));
            final ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
            final byte[] validity = der(SEQUENCE, time(now.minusDays(1)), time(now.plusYears(10)));
            final byte[] tbs = der(SEQUENCE,
                der(EXPLICIT_0, der(INTEGER, new byte[]{2})), // version 3
                der(INTEGER, serial),
                algorithm,
                name,
                validity,
                name,
                pair.getPublic().getEncoded()); // already a DER SubjectPublicKeyInfo

            final Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(pair.getPrivate());
            signer.update(tbs);
            final byte[] signature = signer.sign(); // DER ECDSA-Sig-Value, as X.509 wants it
            final byte[] bits = new byte[signature.length + 1]; // BIT STRING: 0 unused bits, then the bytes
            System.arraycopy(signature, 0, bits, 1, signature.length);
            final byte[] certificate = der(SEQUENCE, tbs, algorithm, der(BIT_STRING, bits));

            final X509Certificate parsed = (X509Certificate)CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(certificate));
            parsed.verify(pair.getPublic());
            return new SelfSignedCertificate(pair.getPrivate(), parsed, certificate);
        }
        catch (final GeneralSecurityException e)
        {
            throw new IllegalStateException("cannot create a self-signed TLS certificate", e);
        }
    }

    PrivateKey privateKey()
    {
        return privateKey;
    }

    X509Certificate certificate()
    {
        return certificate;
    }

    /** The DER encoding. */
    byte[] encoded()
    {
        return encoded.clone();
    }

    /** SHA-256 of the DER encoding: what the identity handshake binds. */
    byte[] sha256()
    {
        return sha256.clone();
    }

    static byte[] sha256(final byte[] data)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256").digest(data);
        }
        catch (final GeneralSecurityException e)
        {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /** UTCTime up to 2049, GeneralizedTime from 2050 on (RFC 5280 4.1.2.5). */
    private static byte[] time(final ZonedDateTime t)
    {
        if (t.getYear() < 2050)
        {
            return der(UTC_TIME, DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").format(t)
                .getBytes(StandardCharsets.US_ASCII));
        }
        return der(GENERALIZED_TIME, DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").format(t)
            .getBytes(StandardCharsets.US_ASCII));
    }

    /** One DER element: tag, definite length (short or long form), then the concatenated contents. */
    static byte[] der(final int tag, final byte[]... contents)
    {
        int length = 0;
        for (final byte[] c : contents)
        {
            length += c.length;
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream(length + 6);
        out.write(tag);
        if (length < 0x80)
        {
            out.write(length);
        }
        else
        {
            final int bytes = length < 0x100 ? 1 : length < 0x10000 ? 2 : length < 0x1000000 ? 3 : 4;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--)
            {
                out.write(length >>> (8 * i));
            }
        }
        for (final byte[] c : contents)
        {
            out.write(c, 0, c.length);
        }
        return out.toByteArray();
    }
}
