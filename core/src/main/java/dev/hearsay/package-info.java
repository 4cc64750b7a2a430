/**
 * Hearsay's API: what an application that embeds a node uses. Ids and keys ({@link dev.hearsay.NodeId},
 * {@link dev.hearsay.NodeKey}, {@link dev.hearsay.TopicId}), the node's settings ({@link dev.hearsay.GossipConfig}),
 * a membership of a topic and what it delivers ({@link dev.hearsay.Subscription},
 * {@link dev.hearsay.SubscriptionOptions}, {@link dev.hearsay.GossipEvent}, {@link dev.hearsay.GossipHandler},
 * {@link dev.hearsay.BroadcastResult}), and the hooks an application may plug in. The node itself is
 * {@code dev.hearsay.transport.GossipNode}, in the transport module.
 *
 * <p>This package and the types named public in {@code dev.hearsay.transport} are the supported API: they change
 * only with a release note. The other packages ({@code dev.hearsay.proto}, {@code dev.hearsay.codec},
 * {@code dev.hearsay.engine}) are public so that the modules and tools of Hearsay can use them; they may change in
 * any release.
 */
package dev.hearsay;
