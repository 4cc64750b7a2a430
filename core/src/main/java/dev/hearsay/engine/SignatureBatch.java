package dev.hearsay.engine;

import dev.hearsay.codec.WireFormat;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The Merkle tree over a run of one author's messages, signed once (docs/wire-format.md, "Batch signatures"), and
 * the check of one message's path to its root. A leaf is SHA-256(0x00, signed bytes of the message); an inner node
 * is SHA-256(0x01, left, right), the prefixes keeping a leaf from ever passing for an inner node. Each level pairs
 * its nodes in order; an odd last node moves up unchanged, so a run of n messages has paths of at most
 * ceil(log2(n)) hashes and nothing is padded.
 * <p>
 * One instance per thread (it owns a digest and its scratch arrays); nothing is allocated per run or per check.
 */
final class SignatureBatch
{
    /** Bytes of a hash. */
    static final int HASH_LENGTH = WireFormat.BATCH_PROOF_HASH_LENGTH;

    /** Most messages in one run: the paths then fit {@link WireFormat#MAX_BATCH_PROOF_DEPTH}. */
    static final int MAX_RUN = 1 << WireFormat.MAX_BATCH_PROOF_DEPTH;

    private static final byte LEAF_PREFIX = 0;
    private static final byte NODE_PREFIX = 1;

    private final MessageDigest sha256;
    /** Every level's nodes, level 0 (the leaves) first; levelStart/levelSize say where each level lies. */
    private final byte[] nodes = new byte[2 * MAX_RUN * HASH_LENGTH];
    private final int[] levelStart = new int[WireFormat.MAX_BATCH_PROOF_DEPTH + 1];
    private final int[] levelSize = new int[WireFormat.MAX_BATCH_PROOF_DEPTH + 1];
    private int levels;
    private int leaves;
    /** A proof's trailer bytes, copied out of their buffer for the digest. */
    private final byte[] trailer = new byte[WireFormat.MAX_SIGNATURE_TRAILER_LENGTH];

    SignatureBatch()
    {
        try
        {
            sha256 = MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
        }
    }

    /** Hashes {@code length} signed bytes of a message into {@code out} at {@code offset} as a leaf. */
    void leafHash(final byte[] signedBytes, final int length, final byte[] out, final int offset)
    {
        sha256.update(LEAF_PREFIX);
        sha256.update(signedBytes, 0, length);
        digestInto(out, offset);
    }

    /** Starts a run: leaves are then added in order with {@link #addLeaf}. */
    void startRun()
    {
        leaves = 0;
        levels = 0;
    }

    /** Adds the next leaf of the run: the hash of {@code length} signed bytes of a message. */
    void addLeaf(final byte[] signedBytes, final int length)
    {
        if (leaves == MAX_RUN)
        {
            throw new IllegalStateException("a run holds at most " + MAX_RUN + " messages");
        }
        leafHash(signedBytes, length, nodes, leaves * HASH_LENGTH);
        leaves++;
    }

    /** Messages in the run so far. */
    int size()
    {
        return leaves;
    }

    /** Builds the levels above the leaves (at least two leaves); the root is then {@link #rootOffset()} of {@link #nodes()}. */
    void buildTree()
    {
        if (leaves < 2)
        {
            throw new IllegalStateException("a tree needs two leaves, not " + leaves);
        }
        levelStart[0] = 0;
        levelSize[0] = leaves;
        int level = 0;
        while (levelSize[level] > 1)
        {
            final int below = levelStart[level];
            final int count = levelSize[level];
            final int start = below + count;
            final int size = (count + 1) / 2;
            for (int i = 0; i < count / 2; i++)
            {
                sha256.update(NODE_PREFIX);
                sha256.update(nodes, (below + 2 * i) * HASH_LENGTH, 2 * HASH_LENGTH);
                digestInto(nodes, (start + i) * HASH_LENGTH);
            }
            if ((count & 1) != 0)
            {
                System.arraycopy(nodes, (below + count - 1) * HASH_LENGTH, nodes, (start + size - 1) * HASH_LENGTH,
                    HASH_LENGTH);
            }
            level++;
            levelStart[level] = start;
            levelSize[level] = size;
        }
        levels = level + 1;
    }

    /** The array holding the tree built by {@link #buildTree}. */
    byte[] nodes()
    {
        return nodes;
    }

    /** Offset of the root in {@link #nodes()}. */
    int rootOffset()
    {
        return levelStart[levels - 1] * HASH_LENGTH;
    }

    /**
     * Writes leaf {@code leaf}'s batch proof at {@code offset} of {@code out}: the root's 64-byte
     * {@code signature} (from {@code signatureOffset}), the depth, the sides and the sibling hashes, leaf upwards.
     * Returns its length.
     */
    int writeProof(final int leaf, final byte[] signature, final int signatureOffset, final MutableDirectBuffer out,
        final int offset)
    {
        out.putBytes(offset, signature, signatureOffset, WireFormat.SIGNATURE_LENGTH);
        int depth = 0;
        int sides = 0;
        int index = leaf;
        int p = offset + WireFormat.BATCH_PROOF_FIXED_LENGTH;
        for (int level = 0; level < levels - 1; level++)
        {
            final int sibling = index ^ 1;
            if (sibling < levelSize[level])
            {
                if ((index & 1) != 0)
                {
                    sides |= 1 << depth;
                }
                out.putBytes(p, nodes, (levelStart[level] + sibling) * HASH_LENGTH, HASH_LENGTH);
                p += HASH_LENGTH;
                depth++;
            }
            index >>= 1;
        }
        out.putByte(offset + WireFormat.SIGNATURE_LENGTH, (byte)depth);
        out.putByte(offset + WireFormat.SIGNATURE_LENGTH + 1, (byte)sides);
        return p - offset;
    }

    /**
     * Folds the leaf hash in {@code hash} (at {@code hashOffset}) up the path of the batch proof of
     * {@code proofLength} bytes at {@code proofOffset} of {@code proof}, leaving the root it leads to in
     * {@code hash}. False, with {@code hash} undefined, if the proof is malformed: a depth that does not match its
     * length, or a side bit set beyond the depth.
     */
    boolean foldPath(final DirectBuffer proof, final int proofOffset, final int proofLength, final byte[] hash,
        final int hashOffset)
    {
        if (proofLength < WireFormat.BATCH_PROOF_FIXED_LENGTH || proofLength > trailer.length)
        {
            return false;
        }
        proof.getBytes(proofOffset, trailer, 0, proofLength);
        final int depth = trailer[WireFormat.SIGNATURE_LENGTH] & 0xFF;
        final int sides = trailer[WireFormat.SIGNATURE_LENGTH + 1] & 0xFF;
        if (depth < 1 || depth > WireFormat.MAX_BATCH_PROOF_DEPTH || WireFormat.batchProofLength(depth) != proofLength
            || (sides >>> depth) != 0)
        {
            return false;
        }
        int p = WireFormat.BATCH_PROOF_FIXED_LENGTH;
        for (int i = 0; i < depth; i++)
        {
            sha256.update(NODE_PREFIX);
            if ((sides & (1 << i)) != 0)
            {
                sha256.update(trailer, p, HASH_LENGTH);
                sha256.update(hash, hashOffset, HASH_LENGTH);
            }
            else
            {
                sha256.update(hash, hashOffset, HASH_LENGTH);
                sha256.update(trailer, p, HASH_LENGTH);
            }
            digestInto(hash, hashOffset);
            p += HASH_LENGTH;
        }
        return true;
    }

    private void digestInto(final byte[] out, final int offset)
    {
        try
        {
            sha256.digest(out, offset, HASH_LENGTH);
        }
        catch (final java.security.DigestException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
