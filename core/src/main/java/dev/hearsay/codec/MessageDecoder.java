package dev.hearsay.codec;

import dev.hearsay.GossipConfig;
import dev.hearsay.NodeId;
import dev.hearsay.TopicId;
import dev.hearsay.codec.DecodeException.Reason;
import dev.hearsay.proto.ContactList;
import dev.hearsay.proto.Disconnect;
import dev.hearsay.proto.ForwardJoin;
import dev.hearsay.proto.Gossip;
import dev.hearsay.proto.Graft;
import dev.hearsay.proto.IHave;
import dev.hearsay.proto.Join;
import dev.hearsay.proto.Message;
import dev.hearsay.proto.MessageType;
import dev.hearsay.proto.Neighbor;
import dev.hearsay.proto.NeighborReply;
import dev.hearsay.proto.Prune;
import dev.hearsay.proto.Shuffle;
import dev.hearsay.proto.ShuffleReply;
import org.agrona.DirectBuffer;

import static dev.hearsay.codec.WireFormat.BYTE_ORDER;

/**
 * Decodes one message of the {@link WireFormat wire format} from untrusted bytes.
 * <p>
 * The result is one of the decoder's own holders (one per message type), overwritten by the next call: copy it
 * ({@link Message#copy()}) to keep it. A Gossip payload is a view into the decoded buffer, valid as long as those
 * bytes are. Ids are resolved through bounded {@link IdCache}s, so decoding a message whose ids were seen before
 * allocates nothing; only contact data (membership messages) is copied into new arrays.
 * <p>
 * Every failure is a {@link DecodeException} with a {@link Reason}. Every count and length is checked against its
 * limit and then against the bytes that remain before anything is sized from it. Not thread-safe.
 */
public final class MessageDecoder
{
    /** Node ids cached by a decoder built without an explicit capacity. */
    public static final int DEFAULT_NODE_ID_CACHE_CAPACITY = 4096;

    /** Topic ids cached by a decoder built without an explicit capacity. */
    public static final int DEFAULT_TOPIC_ID_CACHE_CAPACITY = 1024;

    private final int maxPayload;
    private final int maxPeerData;
    private final IdCache<NodeId> nodeIds;
    private final IdCache<TopicId> topicIds;

    private final Join join = new Join();
    private final ForwardJoin forwardJoin = new ForwardJoin();
    private final Neighbor neighbor = new Neighbor();
    private final NeighborReply neighborReply = new NeighborReply();
    private final Disconnect disconnect = new Disconnect();
    private final Shuffle shuffle = new Shuffle();
    private final ShuffleReply shuffleReply = new ShuffleReply();
    private final Gossip gossip = new Gossip();
    private final IHave ihave = new IHave();
    private final Graft graft = new Graft();
    private final Prune prune = new Prune();

    private DirectBuffer buffer;
    private int start;
    private int position;
    private int limit;
    private MessageType type;

    /** A decoder with the payload and contact data limits of {@code config} and default cache sizes. */
    public MessageDecoder(final GossipConfig config)
    {
        this(config.maxMessageSize(), config.maxPeerDataSize());
    }

    /**
     * A decoder that rejects payloads over {@code maxPayload} bytes and contact data over {@code maxPeerData} bytes,
     * with default cache sizes.
     */
    public MessageDecoder(final int maxPayload, final int maxPeerData)
    {
        this(maxPayload, maxPeerData, DEFAULT_NODE_ID_CACHE_CAPACITY, DEFAULT_TOPIC_ID_CACHE_CAPACITY);
    }

    /** A decoder with explicit limits and cache capacities (see {@link IdCache} for the policy). */
    public MessageDecoder(
        final int maxPayload, final int maxPeerData, final int nodeIdCacheCapacity, final int topicIdCacheCapacity)
    {
        if (maxPayload < 0 || maxPayload > WireFormat.MAX_PAYLOAD_LENGTH)
        {
            throw new IllegalArgumentException("maxPayload: " + maxPayload + " is outside [0, "
                + WireFormat.MAX_PAYLOAD_LENGTH + "]");
        }
        if (maxPeerData < 0 || maxPeerData > WireFormat.MAX_DATA_LENGTH)
        {
            throw new IllegalArgumentException("maxPeerData: " + maxPeerData + " is outside [0, "
                + WireFormat.MAX_DATA_LENGTH + "]");
        }
        this.maxPayload = maxPayload;
        this.maxPeerData = maxPeerData;
        this.nodeIds = IdCache.forNodeIds(nodeIdCacheCapacity);
        this.topicIds = IdCache.forTopicIds(topicIdCacheCapacity);
    }

    /** Largest payload accepted. */
    public int maxPayload()
    {
        return maxPayload;
    }

    /** Largest contact data accepted. */
    public int maxPeerData()
    {
        return maxPeerData;
    }

    /** The cache node ids are resolved through (for statistics). */
    public IdCache<NodeId> nodeIdCache()
    {
        return nodeIds;
    }

    /** The cache topic ids are resolved through (for statistics). */
    public IdCache<TopicId> topicIdCache()
    {
        return topicIds;
    }

    /**
     * Decodes the message that is exactly the {@code length} bytes of {@code buffer} at {@code offset}.
     *
     * @return this decoder's holder for the message's type, valid until the next call.
     * @throws DecodeException          if the bytes are not one valid message.
     * @throws IllegalArgumentException if {@code offset} and {@code length} do not lie within the buffer (a
     *                                  caller's bug, not bad input).
     */
    public Message decode(final DirectBuffer buffer, final int offset, final int length)
    {
        if (buffer == null)
        {
            throw new IllegalArgumentException("buffer: null");
        }
        if (offset < 0 || length < 0 || (long)offset + length > buffer.capacity())
        {
            throw new IllegalArgumentException("offset " + offset + " and length " + length
                + " do not lie within a buffer of capacity " + buffer.capacity());
        }
        this.buffer = buffer;
        this.start = offset;
        this.position = offset;
        this.limit = offset + length;
        this.type = null;

        final int version = uint8("version");
        if (version != WireFormat.VERSION)
        {
            throw new DecodeException(Reason.BAD_VERSION, "version " + version + ", expected " + WireFormat.VERSION);
        }
        final int code = uint8("type");
        type = MessageType.fromCode(code);
        if (type == null)
        {
            throw new DecodeException(Reason.UNKNOWN_TYPE, "type code " + code);
        }
        require(TopicId.LENGTH, "topic");
        final TopicId topic = topicIds.get(buffer, position);
        position += TopicId.LENGTH;

        final Message message;
        switch (type)
        {
            case JOIN:
                message = join.set(data("data"));
                break;

            case FORWARD_JOIN:
                message = decodeForwardJoin();
                break;

            case NEIGHBOR:
                message = decodeNeighbor();
                break;

            case NEIGHBOR_REPLY:
                message = decodeNeighborReply();
                break;

            case DISCONNECT:
                message = decodeDisconnect();
                break;

            case SHUFFLE:
                message = decodeShuffle();
                break;

            case SHUFFLE_REPLY:
                shuffleReply.clear();
                contacts(shuffleReply.contacts());
                message = shuffleReply;
                break;

            case GOSSIP:
                message = decodeGossip();
                break;

            case IHAVE:
                message = decodeIHave();
                break;

            case GRAFT:
                message = decodeGraft();
                break;

            case PRUNE:
                message = prune;
                break;

            default:
                // Only reachable if a type is added to MessageType without a codec for it.
                throw new DecodeException(Reason.UNKNOWN_TYPE, "no codec for " + type);
        }

        if (position != limit)
        {
            throw new DecodeException(Reason.TRAILING_BYTES, (limit - position) + " bytes after the end of a " + type
                + " body at offset " + (position - start));
        }
        message.topic(topic);
        return message;
    }

    private ForwardJoin decodeForwardJoin()
    {
        final NodeId joiner = nodeId("joiner");
        final int ttl = uint8("ttl");
        return forwardJoin.set(joiner, data("joiner data"), ttl);
    }

    private Neighbor decodeNeighbor()
    {
        final boolean highPriority = bool("highPriority");
        return neighbor.set(highPriority, data("data"));
    }

    private NeighborReply decodeNeighborReply()
    {
        final boolean accepted = bool("accepted");
        return neighborReply.set(accepted, data("data"));
    }

    private Disconnect decodeDisconnect()
    {
        disconnect.set(bool("alive"));
        contacts(disconnect.contacts());
        return disconnect;
    }

    private Shuffle decodeShuffle()
    {
        final NodeId origin = nodeId("origin");
        final int ttl = uint8("ttl");
        shuffle.set(origin, data("origin data"), ttl);
        contacts(shuffle.contacts());
        return shuffle;
    }

    private Gossip decodeGossip()
    {
        final int flags = uint8("flags");
        if ((flags & ~WireFormat.KNOWN_GOSSIP_FLAGS) != 0)
        {
            throw badField("flags", "unknown bits 0x" + Integer.toHexString(flags & ~WireFormat.KNOWN_GOSSIP_FLAGS));
        }
        if ((flags & WireFormat.FLAG_REPAIR) != 0 && (flags & WireFormat.FLAG_NEIGHBORS_ONLY) != 0)
        {
            throw badField("flags", "repair and neighbors-only");
        }
        final NodeId author = nodeId("author");
        final int epoch = int32("epoch");
        final long sequence = int64("sequence");
        final int hops = uint16("hops");
        final int lengthOffset = position;
        final int payloadLength = int32("payload length");
        // Read as unsigned: a length of 2^31 or more is a negative int and is over any limit.
        if (payloadLength < 0 || payloadLength > maxPayload)
        {
            throw overLimit("payload length", Integer.toUnsignedLong(payloadLength), maxPayload, lengthOffset);
        }
        require(payloadLength, "payload");
        gossip.set(author, epoch, sequence, hops, (flags & WireFormat.FLAG_NEIGHBORS_ONLY) != 0)
            .payload(buffer, position, payloadLength);
        gossip.repair((flags & WireFormat.FLAG_REPAIR) != 0);
        position += payloadLength;
        if ((flags & WireFormat.FLAG_SIGNED) != 0)
        {
            if ((flags & WireFormat.FLAG_BATCH_SIGNED) != 0)
            {
                throw badField("flags", "signed and batch-signed");
            }
            require(WireFormat.SIGNATURE_LENGTH, "signature");
            gossip.signature(buffer, position);
            position += WireFormat.SIGNATURE_LENGTH;
        }
        else if ((flags & WireFormat.FLAG_BATCH_SIGNED) != 0)
        {
            require(WireFormat.BATCH_PROOF_FIXED_LENGTH, "batch proof");
            final int depthOffset = position + WireFormat.SIGNATURE_LENGTH;
            final int depth = buffer.getByte(depthOffset) & 0xFF;
            if (depth == 0)
            {
                throw badField("batch proof depth", "0");
            }
            if (depth > WireFormat.MAX_BATCH_PROOF_DEPTH)
            {
                throw overLimit("batch proof depth", depth, WireFormat.MAX_BATCH_PROOF_DEPTH, depthOffset);
            }
            final int length = WireFormat.batchProofLength(depth);
            require(length, "batch proof");
            gossip.signature(buffer, position, length);
            position += length;
        }
        return gossip;
    }

    private IHave decodeIHave()
    {
        final int countOffset = position;
        final int count = uint16("run count");
        if (count > IHave.MAX_RUNS)
        {
            throw overLimit("run count", count, IHave.MAX_RUNS, countOffset);
        }
        require(count * WireFormat.RUN_ENTRY_LENGTH, "runs");
        ihave.clear();
        for (int i = 0; i < count; i++)
        {
            final NodeId author = nodeId("author");
            final int epoch = int32("epoch");
            final long first = int64("sequence");
            final int hops = uint16("hops");
            final int idsOffset = position;
            final int ids = uint16("id count");
            if (ids == 0)
            {
                position = idsOffset;
                throw badField("id count", "a run of 0 ids");
            }
            if (first > Long.MAX_VALUE - (ids - 1))
            {
                position = idsOffset;
                throw badField("id count", ids + " ids from sequence " + first + " pass the largest sequence");
            }
            if (!ihave.appendRun(author, epoch, first, ids, hops))
            {
                throw overLimit("ids", (long)ihave.idCount() + ids, IHave.MAX_IDS, idsOffset);
            }
        }
        return ihave;
    }

    private Graft decodeGraft()
    {
        if (bool("hasId"))
        {
            final NodeId author = nodeId("author");
            final int epoch = int32("epoch");
            final long sequence = int64("sequence");
            final int hops = uint16("hops");
            final int countOffset = position;
            final int count = int32("id count");
            if (count == 0)
            {
                position = countOffset;
                throw badField("id count", "a range of 0 ids");
            }
            // Read as unsigned: a count of 2^31 or more is a negative int and is over the limit.
            if (count < 0 || count > Graft.MAX_COUNT)
            {
                throw overLimit("id count", Integer.toUnsignedLong(count), Graft.MAX_COUNT, countOffset);
            }
            if (sequence > Long.MAX_VALUE - (count - 1))
            {
                position = countOffset;
                throw badField("id count", count + " ids from sequence " + sequence + " pass the largest sequence");
            }
            return graft.set(author, epoch, sequence, count, hops);
        }
        return graft.setNoId();
    }

    private void contacts(final ContactList list)
    {
        final int countOffset = position;
        final int count = uint8("contact count");
        if (count > Message.MAX_CONTACTS)
        {
            throw overLimit("contact count", count, Message.MAX_CONTACTS, countOffset);
        }
        // Every contact takes at least its id and data length: reject a count the frame cannot hold up front.
        require(count * WireFormat.CONTACT_FIXED_LENGTH, "contacts");
        for (int i = 0; i < count; i++)
        {
            final NodeId id = nodeId("contact id");
            list.add(id, data("contact data"));
        }
    }

    /** Contact data: u16 length then bytes; null (the holders' empty array) when empty. */
    private byte[] data(final String field)
    {
        final int lengthOffset = position;
        if (limit - position < WireFormat.DATA_PREFIX_LENGTH)
        {
            // Field names are constants; the " length" suffix is only built on this error path.
            throw truncated(WireFormat.DATA_PREFIX_LENGTH, field + " length");
        }
        final int length = buffer.getShort(position, BYTE_ORDER) & 0xFFFF;
        position += WireFormat.DATA_PREFIX_LENGTH;
        if (length > maxPeerData)
        {
            throw overLimit(field + " length", length, maxPeerData, lengthOffset);
        }
        require(length, field);
        if (length == 0)
        {
            return null;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(position, bytes);
        position += length;
        return bytes;
    }

    private NodeId nodeId(final String field)
    {
        require(NodeId.LENGTH, field);
        final NodeId id = nodeIds.get(buffer, position);
        position += NodeId.LENGTH;
        return id;
    }

    private boolean bool(final String field)
    {
        final int value = uint8(field);
        if (value > 1)
        {
            position--;
            throw badField(field, "boolean byte " + value + " is neither 0 nor 1");
        }
        return value == 1;
    }

    private int uint8(final String field)
    {
        require(1, field);
        return buffer.getByte(position++) & 0xFF;
    }

    private int uint16(final String field)
    {
        require(2, field);
        final int value = buffer.getShort(position, BYTE_ORDER) & 0xFFFF;
        position += 2;
        return value;
    }

    private int int32(final String field)
    {
        require(4, field);
        final int value = buffer.getInt(position, BYTE_ORDER);
        position += 4;
        return value;
    }

    private long int64(final String field)
    {
        require(8, field);
        final long value = buffer.getLong(position, BYTE_ORDER);
        position += 8;
        return value;
    }

    private void require(final int bytes, final String field)
    {
        if (limit - position < bytes)
        {
            throw truncated(bytes, field);
        }
    }

    private DecodeException truncated(final int bytes, final String field)
    {
        return new DecodeException(Reason.TRUNCATED, what(field) + " needs " + bytes + " bytes at offset "
            + (position - start) + " but the frame has " + (limit - position) + " left");
    }

    private DecodeException overLimit(final String field, final long value, final int max, final int at)
    {
        return new DecodeException(Reason.LENGTH_OVER_LIMIT, what(field) + " " + value + " exceeds the limit " + max
            + " at offset " + (at - start));
    }

    private DecodeException badField(final String field, final String detail)
    {
        return new DecodeException(Reason.BAD_FIELD, what(field) + ": " + detail + " at offset " + (position - start));
    }

    private String what(final String field)
    {
        return type == null ? field : type + " " + field;
    }
}
