package dev.hearsay;

/**
 * Which thread runs a node's dispatcher, the one thread that owns all its protocol state. Whatever the mode, only
 * that thread ever touches the state; the modes differ in how many thread hand-offs a message crosses and in who
 * owns the CPU.
 */
public enum ThreadingMode
{
    /**
     * A thread of the node's own runs the dispatcher, idling with {@link GossipConfig#idleStrategy()}; the network
     * runs on the transport's I/O threads. The default: the highest throughput, and the dispatcher is never delayed
     * by socket work.
     */
    DEDICATED,
    /**
     * The dispatcher runs on the node's first network event loop, between its socket reads and writes: a message
     * crosses fewer threads (lower latency at moderate rates), at the cost of throughput under saturation, where
     * socket work and dispatching share one core.
     */
    EVENT_LOOP,
    /**
     * The application runs the dispatcher: it calls {@code DispatcherInvoker.invoke()} in a loop on a thread of its
     * own choosing (as with Agrona's {@code AgentInvoker}), for example its own event loop. The first thread that
     * invokes owns the dispatcher for good. Nothing is dispatched between calls, so the application must call it
     * often: at least by {@code DispatcherInvoker.deadlineNanos()} when idle.
     */
    INVOKER
}
