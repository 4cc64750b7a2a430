package dev.hearsay.proto;

import dev.hearsay.NodeId;

/**
 * A bounded, reusable list of contacts (node id and its opaque contact data, e.g. addresses) carried by
 * membership messages. At most {@link Message#MAX_CONTACTS}; adding beyond that is ignored and returns false.
 */
public final class ContactList
{
    private final NodeId[] ids = new NodeId[Message.MAX_CONTACTS];
    private final byte[][] data = new byte[Message.MAX_CONTACTS][];
    private int size;

    /** Number of contacts. */
    public int size()
    {
        return size;
    }

    /** The id of contact {@code i}. */
    public NodeId id(final int i)
    {
        check(i);
        return ids[i];
    }

    /** The contact data of contact {@code i}; never null. */
    public byte[] data(final int i)
    {
        check(i);
        return data[i];
    }

    /** Appends a contact; false (and nothing added) when full. */
    public boolean add(final NodeId id, final byte[] contactData)
    {
        if (size == ids.length)
        {
            return false;
        }
        ids[size] = id;
        data[size] = Message.data(contactData);
        size++;
        return true;
    }

    /** Empties the list. */
    public void clear()
    {
        for (int i = 0; i < size; i++)
        {
            ids[i] = null;
            data[i] = null;
        }
        size = 0;
    }

    /** Replaces the contents with a copy of {@code other}. */
    public void copyFrom(final ContactList other)
    {
        clear();
        for (int i = 0; i < other.size; i++)
        {
            add(other.ids[i], other.data[i].clone());
        }
    }

    private void check(final int i)
    {
        if (i < 0 || i >= size)
        {
            throw new IndexOutOfBoundsException("contact " + i + " of " + size);
        }
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < size; i++)
        {
            sb.append(i == 0 ? "" : ", ").append(ids[i].shortString());
        }
        return sb.append(']').toString();
    }
}
