/**
 * A Hearsay node over TCP. The supported API: {@link dev.hearsay.transport.GossipNode} (built with its builder),
 * {@link dev.hearsay.transport.TransportOptions}, {@link dev.hearsay.transport.TransportInfo},
 * {@link dev.hearsay.transport.TransportCounters}, {@link dev.hearsay.transport.IoMode} and
 * {@link dev.hearsay.transport.BouncyCastleSignatureScheme}. {@link dev.hearsay.transport.NettyTransport} and
 * {@link dev.hearsay.transport.ContactAddresses} are public for the tools and may change in any release.
 */
package dev.hearsay.transport;
