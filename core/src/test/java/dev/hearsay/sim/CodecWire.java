package dev.hearsay.sim;

import dev.hearsay.GossipConfig;
import dev.hearsay.NodeId;
import dev.hearsay.codec.DecodeException;
import dev.hearsay.codec.MessageDecoder;
import dev.hearsay.codec.MessageEncoder;
import dev.hearsay.proto.Message;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * A {@link Wire} of real bytes: the sender's message is encoded with {@link MessageEncoder} into an exact-size
 * array and decoded from those bytes at the receiver, so the simulation exercises the codec on every message.
 * <p>
 * By default one {@link MessageDecoder} decodes for every receiver. A decoder keeps nothing between calls but its
 * id cache, and the simulator hands each decoded message to exactly one node before the next decode, so sharing it
 * changes no result (a test checks that per-node decoders give the identical run). What it changes is speed: with
 * one cache big enough for every id, each peer id decodes to one shared instance, the simulator's own ids are those
 * instances ({@link #canonical}), and the protocol's id comparisons succeed on identity instead of comparing four
 * words of cold objects; at 10,000 nodes per-node decoders cost about a third more CPU.
 */
final class CodecWire implements Wire
{
    /**
     * Id cache of each node's decoder. A node hears from its views, random walks and a few strangers: 256 ids keep
     * the hit rate high while 10,000 decoders stay around 100 MB (the default 4,096 would need about 500 MB).
     */
    private static final int NODE_ID_CACHE = 256;
    /** Id cache of the shared decoder: room for every id of a 10,000-node run with few set conflicts. */
    private static final int SHARED_NODE_ID_CACHE = 1 << 16;
    private static final int TOPIC_ID_CACHE = 4;

    private final GossipConfig config;
    private final MessageEncoder encoder = new MessageEncoder();
    private final byte[] scratchBytes;
    private final UnsafeBuffer scratch;
    private final UnsafeBuffer readBuffer = new UnsafeBuffer(new byte[1]);
    private final MessageDecoder shared;
    private MessageDecoder[] decoders = new MessageDecoder[64];
    private String lastError;

    CodecWire(final GossipConfig config, final boolean decoderPerNode)
    {
        this.config = config;
        this.shared = decoderPerNode ? null : new MessageDecoder(config.maxMessageSize(), config.maxPeerDataSize(),
            SHARED_NODE_ID_CACHE, TOPIC_ID_CACHE);
        this.scratchBytes = new byte[MessageEncoder.maxEncodedLength(config.maxMessageSize(), config.maxPeerDataSize())];
        this.scratch = new UnsafeBuffer(scratchBytes);
    }

    @Override
    public Object encode(final Message message)
    {
        final int length = encoder.encode(message, scratch, 0);
        return Arrays.copyOf(scratchBytes, length);
    }

    @Override
    public int length(final Object onTheWire)
    {
        return ((byte[])onTheWire).length;
    }

    @Override
    public Message decode(final int receiver, final Object onTheWire)
    {
        final byte[] bytes = (byte[])onTheWire;
        readBuffer.wrap(bytes);
        try
        {
            return decoder(receiver).decode(readBuffer, 0, bytes.length);
        }
        catch (final DecodeException e)
        {
            lastError = e.toString();
            return null;
        }
    }

    @Override
    public NodeId canonical(final NodeId id)
    {
        if (shared == null)
        {
            return id;
        }
        id.write(scratch, 0);
        return shared.nodeIdCache().get(scratch, 0);
    }

    @Override
    public String lastError()
    {
        return lastError;
    }

    private MessageDecoder decoder(final int receiver)
    {
        if (shared != null)
        {
            return shared;
        }
        if (receiver >= decoders.length)
        {
            decoders = Arrays.copyOf(decoders, Math.max(receiver + 1, decoders.length << 1));
        }
        MessageDecoder decoder = decoders[receiver];
        if (decoder == null)
        {
            decoder = new MessageDecoder(config.maxMessageSize(), config.maxPeerDataSize(), NODE_ID_CACHE,
                TOPIC_ID_CACHE);
            decoders[receiver] = decoder;
        }
        return decoder;
    }
}
