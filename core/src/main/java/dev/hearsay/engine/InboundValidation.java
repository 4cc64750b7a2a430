package dev.hearsay.engine;

import dev.hearsay.GossipConfig;
import dev.hearsay.MessageValidator;
import dev.hearsay.NodeId;
import dev.hearsay.Validation;
import dev.hearsay.codec.DecodeException;
import dev.hearsay.codec.MessageDecoder;
import dev.hearsay.codec.WireFormat;
import dev.hearsay.proto.Gossip;
import dev.hearsay.proto.MessageType;
import org.agrona.DirectBuffer;

/**
 * Asks the topic's {@link MessageValidator}s about a received Gossip frame before it enters the ring, on the thread
 * that hands the frame over (a transport I/O thread), so that validation runs beside the dispatcher, never on it.
 * Owned by that one thread (the engine keeps one per thread); shared state: the {@link TopicValidators}, the table
 * of settled ids and the counters.
 * <p>
 * The frame is decoded in place with this thread's own decoder (the payload handed to the validator is a view of
 * the transport's buffer: no copy). Nothing is allocated per frame.
 * <p>
 * <b>Once per id.</b> The id of a Swarm-scope message settled here enters the table of settled ids once the frame is
 * on the ring ({@link #published()}), so a copy whose id is found there was published after it and reaches the
 * dispatcher after it, when the protocol has marked the id seen: that copy is not validated
 * ({@link #SKIPPED_DUPLICATE}) and the dispatcher takes it for the duplicate it is. Settled: accepted or ignored,
 * or rejected with {@code verifySignatures} (the ids the dispatcher marks seen; see {@code Dispatcher.validated}).
 * With {@code verifySignatures}, only an id whose bytes verified here enters the table: a copy let through on the
 * strength of another's signature check might be a forgery the dispatcher still drops.
 * <p>
 * A copy found in the table is dropped by the dispatcher unless the protocol has seen its id, so the table's
 * fingerprints must not collide: a collision would drop a new message unseen. They are 64-bit hashes of every byte of
 * the id (topic, author, epoch, sequence), keyed by a random number of the node ({@link #fingerprint}), so no peer
 * can choose an id whose fingerprint matches one it wants suppressed, and an accidental match in a slot has a
 * chance of about 2^-50 per copy. (A fingerprint of the ids' 32-bit hashes, as signature checks use, where a
 * collision only costs a verification on the dispatcher, matched by accident a few times in a million copies.)
 * <p>
 * <b>Once per frame.</b> A frame the ring refused is handed over again by the same connection before any other of
 * its frames: {@link #refusedByRing()} keeps its verdict, and the retry from that peer with that id and length
 * gets it without asking the validators again.
 */
final class InboundValidation
{
    /** Verdict: not validated (not a Gossip, undecodable, or its topic has no validator). */
    static final int NOT_VALIDATED = 0;
    /** Verdict: every validator accepted. */
    static final int ACCEPTED = 1;
    /** Verdict: not validated, because its id was settled lately (a duplicate). */
    static final int SKIPPED_DUPLICATE = 2;
    /** Verdict: a validator rejected it. */
    static final int REJECTED = 3;
    /** Verdict: a validator ignored it, or failed; none rejected it. */
    static final int IGNORED = 4;

    private static final System.Logger LOG = System.getLogger(InboundValidation.class.getName());
    private static final byte GOSSIP_CODE = (byte)MessageType.GOSSIP.code();

    private final MessageDecoder decoder;
    private final TopicValidators validators;
    private final VerifiedIds settled;
    private final EngineCounters counters;
    private final boolean verifySignatures;
    private final long key;

    // The frame checked last, until it is published or refused.
    private NodeId lastPeer;
    private int lastLength;
    private long lastFingerprint;
    private int lastVerdict;
    private boolean lastRemembered;

    // The frame the ring refused last, whose retry keeps its verdict.
    private NodeId retryPeer;
    private int retryLength;
    private long retryFingerprint;
    private int retryVerdict;

    /** {@code key}: the node's random fingerprint key, the same for every thread. */
    InboundValidation(final GossipConfig config, final TopicValidators validators, final VerifiedIds settled,
        final long key, final EngineCounters counters)
    {
        this.key = key;
        this.decoder = new MessageDecoder(config);
        this.validators = validators;
        this.settled = settled;
        this.counters = counters;
        this.verifySignatures = config.verifySignatures();
    }

    /**
     * The verdict on the frame of {@code length} bytes at {@code offset} from {@code peer}: one of the constants
     * above. {@code authentic}: its bytes are known to be the author's (its signature verified here, or the node
     * does not verify signatures), so its id may enter the table of settled ids.
     */
    int check(final NodeId peer, final DirectBuffer buffer, final int offset, final int length,
        final boolean authentic)
    {
        lastPeer = null;
        if (length <= WireFormat.TYPE_OFFSET || buffer.getByte(offset + WireFormat.TYPE_OFFSET) != GOSSIP_CODE)
        {
            return NOT_VALIDATED;
        }
        final Gossip gossip;
        try
        {
            gossip = (Gossip)decoder.decode(buffer, offset, length);
        }
        catch (final DecodeException ex)
        {
            return NOT_VALIDATED;
        }
        final MessageValidator[] topicValidators = validators.of(gossip.topic());
        if (topicValidators == null)
        {
            return NOT_VALIDATED;
        }
        final long fingerprint = fingerprint(key, buffer, offset);
        final int verdict;
        if (retryPeer != null && retryLength == length && retryFingerprint == fingerprint && retryPeer.equals(peer))
        {
            verdict = retryVerdict;
        }
        else if (!gossip.neighborsOnly() && settled.contains(fingerprint))
        {
            counters.incrementShared(EngineCounter.VALIDATIONS_SKIPPED_DUPLICATE);
            verdict = SKIPPED_DUPLICATE;
        }
        else
        {
            counters.incrementShared(EngineCounter.MESSAGES_VALIDATED);
            verdict = ask(topicValidators, gossip, peer);
        }
        retryPeer = null;
        lastPeer = peer;
        lastLength = length;
        lastFingerprint = fingerprint;
        lastVerdict = verdict;
        // Neighbors-scope messages are never relayed, so they have no duplicates worth remembering.
        lastRemembered = authentic && !gossip.neighborsOnly()
            && (verdict == ACCEPTED || verdict == IGNORED || verdict == REJECTED && verifySignatures);
        return verdict;
    }

    /** The frame checked last is on the ring: an id settled from authentic bytes enters the table. */
    void published()
    {
        if (lastPeer != null && lastRemembered)
        {
            settled.add(lastFingerprint);
        }
        lastPeer = null;
    }

    /** The ring refused the frame checked last: its retry gets the same verdict. */
    void refusedByRing()
    {
        if (lastPeer != null)
        {
            retryPeer = lastPeer;
            retryLength = lastLength;
            retryFingerprint = lastFingerprint;
            retryVerdict = lastVerdict;
        }
        lastPeer = null;
    }

    // Where a Gossip frame holds its id: header (version, type, topic), flags, then author, epoch, sequence.
    static final int TOPIC_AT = WireFormat.TOPIC_OFFSET;
    static final int AUTHOR_AT = WireFormat.HEADER_LENGTH + 1;
    static final int EPOCH_AT = AUTHOR_AT + NodeId.LENGTH;
    static final int SEQUENCE_AT = EPOCH_AT + Integer.BYTES;

    /**
     * The fingerprint of the id of the Gossip frame at {@code offset} (decoded already, so long enough): every byte of
     * topic, author, epoch and sequence mixed into {@code key} (SplitMix64's finaliser after each word); never 0.
     */
    static long fingerprint(final long key, final DirectBuffer frame, final int offset)
    {
        long h = key;
        for (int i = 0; i < 4; i++)
        {
            h = mix(h ^ frame.getLong(offset + TOPIC_AT + i * Long.BYTES));
        }
        for (int i = 0; i < 4; i++)
        {
            h = mix(h ^ frame.getLong(offset + AUTHOR_AT + i * Long.BYTES));
        }
        h = mix(h ^ frame.getInt(offset + EPOCH_AT));
        h = mix(h ^ frame.getLong(offset + SEQUENCE_AT));
        return h == 0 ? 1 : h;
    }

    private static long mix(final long value)
    {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The strictest verdict of {@code topicValidators}: REJECT over IGNORE (or a failure) over ACCEPT. */
    private int ask(final MessageValidator[] topicValidators, final Gossip gossip, final NodeId peer)
    {
        int verdict = ACCEPTED;
        for (final MessageValidator validator : topicValidators)
        {
            Validation validation;
            try
            {
                validation = validator.validate(gossip.topic(), gossip.payloadBuffer(), gossip.payloadOffset(),
                    gossip.payloadLength(), gossip.author(), peer, gossip.hops());
            }
            catch (final Throwable ex)
            {
                if (ex instanceof VirtualMachineError error)
                {
                    throw error;
                }
                failed(gossip, ex);
                validation = Validation.IGNORE;
            }
            if (validation == null)
            {
                failed(gossip, null);
                validation = Validation.IGNORE;
            }
            if (validation == Validation.REJECT)
            {
                return REJECTED;
            }
            if (validation == Validation.IGNORE)
            {
                verdict = IGNORED;
            }
        }
        return verdict;
    }

    /** Counts a validator's failure, logging the 1st, 2nd, 4th, 8th, ... of the node. */
    private void failed(final Gossip gossip, final Throwable ex)
    {
        final long errors = counters.incrementShared(EngineCounter.VALIDATOR_ERRORS);
        if ((errors & (errors - 1)) == 0)
        {
            LOG.log(System.Logger.Level.WARNING, "validator of topic " + gossip.topic().shortString() + " "
                + (ex == null ? "returned null" : "threw") + " (error " + errors + " of this node; counted as IGNORE)",
                ex);
        }
    }
}
