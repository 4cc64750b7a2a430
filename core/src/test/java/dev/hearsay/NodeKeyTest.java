package dev.hearsay;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ed25519 keys as node ids: signing, verifying, and the refusal of keys that no key pair has. */
class NodeKeyTest
{
    /** Encodings of the eight points of order 1, 2, 4 and 8, and two non-canonical ones (y = p + 1, y = p). */
    private static final List<String> SMALL_ORDER = List.of(
        "0100000000000000000000000000000000000000000000000000000000000000",   // neutral element
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",   // order 2: y = -1
        "0000000000000000000000000000000000000000000000000000000000000000",   // order 4: y = 0
        "0000000000000000000000000000000000000000000000000000000000000080",   // order 4, x negative
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",   // order 8
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",   // y = p + 1: the neutral element
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"); // y = p: order 4

    /** R = the neutral element, S = 0: valid for a small-order key and most messages under a cofactorless check. */
    private static final byte[] TRIVIAL_SIGNATURE = HexFormat.of().parseHex(
        "0100000000000000000000000000000000000000000000000000000000000000"
            + "0000000000000000000000000000000000000000000000000000000000000000");

    @Test
    @Timeout(30)
    void keysOfSmallOrderAreRefused()
    {
        for (final String hex : SMALL_ORDER)
        {
            assertTrue(NodeKey.hasSmallOrder(HexFormat.of().parseHex(hex)), hex);
        }
    }

    @Test
    @Timeout(30)
    void noGeneratedKeyIsRefused()
    {
        final byte[] data = "message".getBytes(StandardCharsets.US_ASCII);
        for (long seed = 0; seed < 200; seed++)
        {
            final NodeKey key = NodeKey.fromSeed(seed);
            assertFalse(NodeKey.hasSmallOrder(key.id().toBytes()), key.toString());
            assertTrue(NodeKey.verify(key.id(), data, key.sign(data)), key.toString());
        }
        final NodeKey key = NodeKey.generate();
        assertTrue(NodeKey.verify(key.id(), data, key.sign(data)));
    }

    /**
     * The JDK's Ed25519 alone takes the trivial signature under the neutral element as its key, for any message:
     * an id that proves nothing. NodeKey refuses it, in one-shot verification and in the reusable verifier.
     */
    @Test
    @Timeout(30)
    void theTrivialSignatureOfTheNeutralElementIsRefused() throws Exception
    {
        final byte[] neutral = HexFormat.of().parseHex(SMALL_ORDER.get(0));
        final byte[] data = "any transcript at all".getBytes(StandardCharsets.US_ASCII);
        final byte[] der = HexFormat.of().parseHex("302a300506032b6570032100" + SMALL_ORDER.get(0));
        final Signature jdk = Signature.getInstance("Ed25519");
        jdk.initVerify(KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der)));
        jdk.update(data);
        assertTrue(jdk.verify(TRIVIAL_SIGNATURE), "the JDK accepts it (else this test shows nothing)");

        final NodeId id = NodeId.fromBytes(neutral);
        assertFalse(NodeKey.verify(id, data, TRIVIAL_SIGNATURE));
        final NodeKey.Verifier verifier = new NodeKey.Verifier(4);
        assertFalse(verifier.begin(id));
        verifier.update(data, 0, data.length);
        assertFalse(verifier.verify(TRIVIAL_SIGNATURE, 0));
    }
}
