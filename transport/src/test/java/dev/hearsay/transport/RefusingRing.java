package dev.hearsay.transport;

import dev.hearsay.NodeId;
import dev.hearsay.engine.NetworkEvents;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Test double of the engine's ring for the inbound handler: refuses the next {@link #refusals} frames (as a full
 * ring does), then takes every frame, counting it and recording what {@link #key} reads from it (nothing when the
 * key is null, so that taking a frame allocates nothing). Peer events are always taken.
 */
final class RefusingRing implements NetworkEvents
{
    final List<Integer> received = new ArrayList<>();
    int refusals;
    long frames;
    /** What to record of a taken frame (given the frame at its offset); null: record nothing. */
    ToIntFunction<DirectBuffer> key;
    private final org.agrona.concurrent.UnsafeBuffer view = new org.agrona.concurrent.UnsafeBuffer(0, 0);

    RefusingRing(final ToIntFunction<DirectBuffer> key)
    {
        this.key = key;
    }

    @Override
    public boolean onFrame(final NodeId peer, final DirectBuffer buffer, final int offset, final int length)
    {
        if (refusals > 0)
        {
            refusals--;
            return false;
        }
        frames++;
        if (key != null)
        {
            view.wrap(buffer, offset, length);
            received.add(key.applyAsInt(view));
        }
        return true;
    }

    @Override
    public boolean onPeerConnected(final NodeId peer)
    {
        return true;
    }

    @Override
    public boolean onPeerDisconnected(final NodeId peer)
    {
        return true;
    }

    @Override
    public boolean onDialFailed(final NodeId peer)
    {
        return true;
    }
}
