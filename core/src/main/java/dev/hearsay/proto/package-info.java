/**
 * HyParView membership and PlumTree broadcast as state machines without I/O: {@link dev.hearsay.proto.ProtocolState}
 * takes every input (a message, a peer up or down, a timer) with the current time and answers through
 * {@link dev.hearsay.proto.ProtocolOutput}. The dispatcher drives it on one thread; the simulator drives many on one
 * thread in virtual time. Internal: public for the engine, the simulator and the tools, not a supported API.
 */
package dev.hearsay.proto;
