package dev.hearsay.codec;

import dev.hearsay.GossipConfig;
import dev.hearsay.NodeId;
import dev.hearsay.proto.ContactList;
import dev.hearsay.proto.Disconnect;
import dev.hearsay.proto.ForwardJoin;
import dev.hearsay.proto.Gossip;
import dev.hearsay.proto.Graft;
import dev.hearsay.proto.IHave;
import dev.hearsay.proto.Join;
import dev.hearsay.proto.Message;
import dev.hearsay.proto.Neighbor;
import dev.hearsay.proto.NeighborReply;
import dev.hearsay.proto.Shuffle;
import dev.hearsay.proto.ShuffleReply;
import org.agrona.MutableDirectBuffer;

import static dev.hearsay.codec.WireFormat.BYTE_ORDER;

/**
 * Encodes one message in the {@link WireFormat wire format} (frame body only: the transport adds length prefixes).
 * Allocation free. A message the format cannot carry, or that is over this encoder's limits, is refused with an
 * {@link IllegalArgumentException} before anything is written, so a node never sends what its peers' decoders with
 * the same limits would reject. Stateless apart from its limits; safe to share between threads.
 */
public final class MessageEncoder
{
    private final int maxPayload;
    private final int maxPeerData;

    /** An encoder limited only by what the format can carry. */
    public MessageEncoder()
    {
        this(WireFormat.MAX_PAYLOAD_LENGTH, WireFormat.MAX_DATA_LENGTH);
    }

    /** An encoder with the payload and contact data limits of {@code config}. */
    public MessageEncoder(final GossipConfig config)
    {
        this(config.maxMessageSize(), config.maxPeerDataSize());
    }

    /** An encoder that refuses payloads over {@code maxPayload} and contact data over {@code maxPeerData} bytes. */
    public MessageEncoder(final int maxPayload, final int maxPeerData)
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
    }

    /**
     * The largest frame body any valid message can have when payloads are at most {@code maxMessageSize} and contact
     * data at most {@code maxPeerDataSize} bytes: the size for encode and receive buffers.
     */
    public static int maxEncodedLength(final int maxMessageSize, final int maxPeerDataSize)
    {
        if (maxMessageSize < 0)
        {
            throw new IllegalArgumentException("maxMessageSize: " + maxMessageSize + " is negative");
        }
        if (maxPeerDataSize < 0 || maxPeerDataSize > WireFormat.MAX_DATA_LENGTH)
        {
            throw new IllegalArgumentException("maxPeerDataSize: " + maxPeerDataSize + " is outside [0, "
                + WireFormat.MAX_DATA_LENGTH + "]");
        }
        final long data = WireFormat.DATA_PREFIX_LENGTH + (long)maxPeerDataSize;
        final long contacts = WireFormat.CONTACT_COUNT_LENGTH
            + (long)Message.MAX_CONTACTS * (WireFormat.CONTACT_FIXED_LENGTH + maxPeerDataSize);
        // Shuffle carries the most membership bytes (it has an origin, its data, a ttl and a full contact list);
        // Disconnect, ForwardJoin and the rest are strictly smaller.
        final long shuffle = NodeId.LENGTH + 1 + data + contacts;
        final long gossip = WireFormat.GOSSIP_FIXED_LENGTH + (long)maxMessageSize
            + WireFormat.MAX_SIGNATURE_TRAILER_LENGTH;
        final long ihave = WireFormat.IHAVE_COUNT_LENGTH + (long)IHave.MAX_RUNS * WireFormat.RUN_ENTRY_LENGTH;
        final long max = WireFormat.HEADER_LENGTH + Math.max(shuffle, Math.max(gossip, ihave));
        if (max > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("maxMessageSize: " + maxMessageSize + " makes frames over 2 GiB");
        }
        return (int)max;
    }

    /** Bytes {@link #encode} writes for {@code message}. Does not validate the message. */
    public static int encodedLength(final Message message)
    {
        return WireFormat.HEADER_LENGTH + bodyLength(message);
    }

    /**
     * Writes {@code message} at {@code offset} of {@code buffer}.
     *
     * @return the number of bytes written, {@link #encodedLength(Message)}.
     * @throws IllegalArgumentException if the message is incomplete (a null id or topic), has a field out of its wire
     *                                  range (hops, ttl), is over this encoder's limits, or does not fit in a
     *                                  non-expandable buffer; nothing is written then.
     */
    public int encode(final Message message, final MutableDirectBuffer buffer, final int offset)
    {
        validate(message);
        final int length = encodedLength(message);
        if (offset < 0 || (!buffer.isExpandable() && (long)offset + length > buffer.capacity()))
        {
            throw new IllegalArgumentException(message.type() + " of " + length + " bytes does not fit at offset "
                + offset + " of a buffer of capacity " + buffer.capacity());
        }

        buffer.putByte(offset + WireFormat.VERSION_OFFSET, (byte)WireFormat.VERSION);
        buffer.putByte(offset + WireFormat.TYPE_OFFSET, (byte)message.type().code());
        message.topic().write(buffer, offset + WireFormat.TOPIC_OFFSET);
        final int at = offset + WireFormat.HEADER_LENGTH;
        final int end;
        switch (message.type())
        {
            case JOIN:
                end = putData(buffer, at, ((Join)message).data());
                break;

            case FORWARD_JOIN:
            {
                final ForwardJoin m = (ForwardJoin)message;
                m.joiner().write(buffer, at);
                buffer.putByte(at + NodeId.LENGTH, (byte)m.ttl());
                end = putData(buffer, at + NodeId.LENGTH + 1, m.joinerData());
                break;
            }

            case NEIGHBOR:
            {
                final Neighbor m = (Neighbor)message;
                buffer.putByte(at, bool(m.highPriority()));
                end = putData(buffer, at + 1, m.data());
                break;
            }

            case NEIGHBOR_REPLY:
            {
                final NeighborReply m = (NeighborReply)message;
                buffer.putByte(at, bool(m.accepted()));
                end = putData(buffer, at + 1, m.data());
                break;
            }

            case DISCONNECT:
            {
                final Disconnect m = (Disconnect)message;
                buffer.putByte(at, bool(m.alive()));
                end = putContacts(buffer, at + 1, m.contacts());
                break;
            }

            case SHUFFLE:
            {
                final Shuffle m = (Shuffle)message;
                m.origin().write(buffer, at);
                buffer.putByte(at + NodeId.LENGTH, (byte)m.ttl());
                final int contactsAt = putData(buffer, at + NodeId.LENGTH + 1, m.originData());
                end = putContacts(buffer, contactsAt, m.contacts());
                break;
            }

            case SHUFFLE_REPLY:
                end = putContacts(buffer, at, ((ShuffleReply)message).contacts());
                break;

            case GOSSIP:
                end = putGossip(buffer, at, (Gossip)message);
                break;

            case IHAVE:
            {
                final IHave m = (IHave)message;
                final int size = m.size();
                buffer.putShort(at, (short)size, BYTE_ORDER);
                int p = at + WireFormat.IHAVE_COUNT_LENGTH;
                for (int i = 0; i < size; i++)
                {
                    p = putIdEntry(buffer, p, m.author(i), m.epoch(i), m.firstSequence(i), m.hops(i));
                    buffer.putShort(p, (short)m.count(i), BYTE_ORDER);
                    p += 2;
                }
                end = p;
                break;
            }

            case GRAFT:
            {
                final Graft m = (Graft)message;
                buffer.putByte(at, bool(m.hasId()));
                if (m.hasId())
                {
                    final int countAt = putIdEntry(buffer, at + 1, m.author(), m.epoch(), m.sequence(), m.hops());
                    buffer.putInt(countAt, m.count(), WireFormat.BYTE_ORDER);
                    end = countAt + WireFormat.GRAFT_COUNT_LENGTH;
                }
                else
                {
                    end = at + 1;
                }
                break;
            }

            case PRUNE:
                end = at;
                break;

            default:
                throw new IllegalArgumentException("no codec for " + message.type());
        }
        return end - offset;
    }

    private static int bodyLength(final Message message)
    {
        switch (message.type())
        {
            case JOIN:
                return dataLength(((Join)message).data());

            case FORWARD_JOIN:
                return NodeId.LENGTH + 1 + dataLength(((ForwardJoin)message).joinerData());

            case NEIGHBOR:
                return 1 + dataLength(((Neighbor)message).data());

            case NEIGHBOR_REPLY:
                return 1 + dataLength(((NeighborReply)message).data());

            case DISCONNECT:
                return 1 + contactsLength(((Disconnect)message).contacts());

            case SHUFFLE:
            {
                final Shuffle m = (Shuffle)message;
                return NodeId.LENGTH + 1 + dataLength(m.originData()) + contactsLength(m.contacts());
            }

            case SHUFFLE_REPLY:
                return contactsLength(((ShuffleReply)message).contacts());

            case GOSSIP:
            {
                final Gossip m = (Gossip)message;
                return WireFormat.GOSSIP_FIXED_LENGTH + m.payloadLength()
                    + m.signatureLength();
            }

            case IHAVE:
                return WireFormat.IHAVE_COUNT_LENGTH + ((IHave)message).size() * WireFormat.RUN_ENTRY_LENGTH;

            case GRAFT:
                return ((Graft)message).hasId() ? 1 + WireFormat.ID_ENTRY_LENGTH + WireFormat.GRAFT_COUNT_LENGTH : 1;

            case PRUNE:
                return 0;

            default:
                throw new IllegalArgumentException("no codec for " + message.type());
        }
    }

    private static int dataLength(final byte[] data)
    {
        return WireFormat.DATA_PREFIX_LENGTH + data.length;
    }

    private static int contactsLength(final ContactList contacts)
    {
        int length = WireFormat.CONTACT_COUNT_LENGTH;
        for (int i = 0, size = contacts.size(); i < size; i++)
        {
            length += NodeId.LENGTH + dataLength(contacts.data(i));
        }
        return length;
    }

    private void validate(final Message message)
    {
        if (message == null)
        {
            throw new IllegalArgumentException("message: null");
        }
        if (message.topic() == null)
        {
            throw new IllegalArgumentException(message.type() + ": topic is null");
        }
        switch (message.type())
        {
            case JOIN:
                checkData(message, "data", ((Join)message).data());
                break;

            case FORWARD_JOIN:
            {
                final ForwardJoin m = (ForwardJoin)message;
                checkId(message, "joiner", m.joiner());
                checkTtl(message, m.ttl());
                checkData(message, "joiner data", m.joinerData());
                break;
            }

            case NEIGHBOR:
                checkData(message, "data", ((Neighbor)message).data());
                break;

            case NEIGHBOR_REPLY:
                checkData(message, "data", ((NeighborReply)message).data());
                break;

            case DISCONNECT:
                checkContacts(message, ((Disconnect)message).contacts());
                break;

            case SHUFFLE:
            {
                final Shuffle m = (Shuffle)message;
                checkId(message, "origin", m.origin());
                checkTtl(message, m.ttl());
                checkData(message, "origin data", m.originData());
                checkContacts(message, m.contacts());
                break;
            }

            case SHUFFLE_REPLY:
                checkContacts(message, ((ShuffleReply)message).contacts());
                break;

            case GOSSIP:
            {
                final Gossip m = (Gossip)message;
                checkId(message, "author", m.author());
                checkHops(message, m.hops());
                if (m.payloadLength() > maxPayload)
                {
                    throw new IllegalArgumentException("GOSSIP: payload of " + m.payloadLength()
                        + " bytes exceeds the limit " + maxPayload);
                }
                break;
            }

            case IHAVE:
            {
                final IHave m = (IHave)message;
                for (int i = 0, size = m.size(); i < size; i++)
                {
                    checkId(message, "author", m.author(i));
                    checkHops(message, m.hops(i));
                }
                break;
            }

            case GRAFT:
            {
                final Graft m = (Graft)message;
                if (m.hasId())
                {
                    checkId(message, "author", m.author());
                    checkHops(message, m.hops());
                }
                break;
            }

            default:
                break;
        }
    }

    private void checkData(final Message message, final String field, final byte[] data)
    {
        if (data.length > maxPeerData)
        {
            throw new IllegalArgumentException(message.type() + ": " + field + " of " + data.length
                + " bytes exceeds the limit " + maxPeerData);
        }
    }

    private void checkContacts(final Message message, final ContactList contacts)
    {
        for (int i = 0, size = contacts.size(); i < size; i++)
        {
            checkId(message, "contact id", contacts.id(i));
            checkData(message, "contact data", contacts.data(i));
        }
    }

    private static void checkId(final Message message, final String field, final NodeId id)
    {
        if (id == null)
        {
            throw new IllegalArgumentException(message.type() + ": " + field + " is null");
        }
    }

    private static void checkHops(final Message message, final int hops)
    {
        if (hops < 0 || hops > WireFormat.MAX_HOPS)
        {
            throw new IllegalArgumentException(message.type() + ": hops " + hops + " is outside [0, "
                + WireFormat.MAX_HOPS + "]");
        }
    }

    private static void checkTtl(final Message message, final int ttl)
    {
        if (ttl < 0 || ttl > WireFormat.MAX_TTL)
        {
            throw new IllegalArgumentException(message.type() + ": ttl " + ttl + " is outside [0, "
                + WireFormat.MAX_TTL + "]");
        }
    }

    private static byte bool(final boolean value)
    {
        return value ? (byte)1 : (byte)0;
    }

    private static int putData(final MutableDirectBuffer buffer, final int at, final byte[] data)
    {
        buffer.putShort(at, (short)data.length, BYTE_ORDER);
        buffer.putBytes(at + WireFormat.DATA_PREFIX_LENGTH, data);
        return at + WireFormat.DATA_PREFIX_LENGTH + data.length;
    }

    private static int putContacts(final MutableDirectBuffer buffer, final int at, final ContactList contacts)
    {
        final int size = contacts.size();
        buffer.putByte(at, (byte)size);
        int p = at + WireFormat.CONTACT_COUNT_LENGTH;
        for (int i = 0; i < size; i++)
        {
            contacts.id(i).write(buffer, p);
            p = putData(buffer, p + NodeId.LENGTH, contacts.data(i));
        }
        return p;
    }

    private static int putIdEntry(
        final MutableDirectBuffer buffer,
        final int at,
        final NodeId author,
        final int epoch,
        final long sequence,
        final int hops)
    {
        author.write(buffer, at);
        buffer.putInt(at + NodeId.LENGTH, epoch, BYTE_ORDER);
        buffer.putLong(at + NodeId.LENGTH + 4, sequence, BYTE_ORDER);
        buffer.putShort(at + NodeId.LENGTH + 12, (short)hops, BYTE_ORDER);
        return at + WireFormat.ID_ENTRY_LENGTH;
    }

    private static int putGossip(final MutableDirectBuffer buffer, final int at, final Gossip gossip)
    {
        final int flags = (gossip.neighborsOnly() ? WireFormat.FLAG_NEIGHBORS_ONLY : 0)
            | (gossip.repair() ? WireFormat.FLAG_REPAIR : 0)
            | (gossip.batchSigned() ? WireFormat.FLAG_BATCH_SIGNED : gossip.signed() ? WireFormat.FLAG_SIGNED : 0);
        buffer.putByte(at, (byte)flags);
        final int p = putIdEntry(buffer, at + 1, gossip.author(), gossip.epoch(), gossip.sequence(), gossip.hops());
        final int length = gossip.payloadLength();
        buffer.putInt(p, length, BYTE_ORDER);
        if (length > 0)
        {
            buffer.putBytes(p + 4, gossip.payloadBuffer(), gossip.payloadOffset(), length);
        }
        final int end = p + 4 + length;
        if (gossip.signed())
        {
            buffer.putBytes(end, gossip.signatureBuffer(), gossip.signatureOffset(), gossip.signatureLength());
            return end + gossip.signatureLength();
        }
        return end;
    }
}
