/**
 * The single dispatcher: one multi-producer Disruptor ring carries every control event (subscribe, broadcast,
 * unsubscribe, shutdown) and every network event (frame received, peer connected or disconnected, dial failed) to
 * one consumer thread that owns all protocol state. Order between "subscribed" and "a frame arrived" is therefore
 * total. Hand-offs out of the dispatcher (to subscribers, to the {@link dev.hearsay.engine.Transport}) are
 * non-blocking offers with a documented overflow policy; nothing on the message path locks, blocks or allocates in
 * steady state.
 *
 * <p>{@link dev.hearsay.engine.GossipEngine} with the {@link dev.hearsay.engine.Transport} and
 * {@link dev.hearsay.engine.NetworkEvents} interfaces is the service interface for a transport other than the TCP one;
 * the rest of the package is internal, public for the transport module and the tools.
 */
package dev.hearsay.engine;
