package dev.hearsay.transport;

import java.util.ArrayList;
import java.util.function.Consumer;

/**
 * What happens to a peer whose outbound queue stays congested: dispatcher-owned. A peer that drains, however slowly,
 * is flow-controlled (see {@link FlowControl}); one whose queue has not moved (or stays nearly full) for the
 * slow-peer timeout is cut off, so that publishers held back for it can go on and the protocol refills its views
 * from the passive contacts.
 */
final class SlowPeerPolicy
{
    private final FlowControl flow;
    private final long timeoutNanos;
    private final Consumer<PeerLink> cut;

    /**
     * @param flow         the congested links to watch.
     * @param timeoutNanos how long a congested queue may go without draining.
     * @param cut          disconnects a slow peer (counted and logged by the caller).
     */
    SlowPeerPolicy(final FlowControl flow, final long timeoutNanos, final Consumer<PeerLink> cut)
    {
        this.flow = flow;
        this.timeoutNanos = timeoutNanos;
        this.cut = cut;
    }

    /** Dispatcher, once per flush: forgets links that cleared, and cuts those stuck past the timeout. */
    void check()
    {
        final ArrayList<PeerLink> congested = flow.congestedLinks();
        if (congested.isEmpty())
        {
            return;
        }
        final long now = System.nanoTime();
        for (int i = congested.size() - 1; i >= 0; i--)
        {
            final PeerLink link = congested.get(i);
            if (!link.congested.get())
            {
                congested.remove(i);
            }
            else if (link.progressed())
            {
                link.congestedSinceNanos = now;
            }
            else if (now - link.congestedSinceNanos > timeoutNanos)
            {
                congested.remove(i);
                link.clearCongested();
                cut.accept(link);
            }
        }
    }
}
