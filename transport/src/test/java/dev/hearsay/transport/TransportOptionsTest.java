package dev.hearsay.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.RecordComponent;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each {@code with*} method changes exactly its own settings and keeps the validation. */
@Timeout(10)
class TransportOptionsTest
{
    /** The record components in which two options differ. */
    private static Set<String> differences(final TransportOptions a, final TransportOptions b) throws Exception
    {
        final Set<String> out = new TreeSet<>();
        for (final RecordComponent c : TransportOptions.class.getRecordComponents())
        {
            if (!c.getAccessor().invoke(a).equals(c.getAccessor().invoke(b)))
            {
                out.add(c.getName());
            }
        }
        return out;
    }

    @Test
    void eachWithMethodChangesOnlyItsSettings() throws Exception
    {
        final TransportOptions d = TransportOptions.defaults();
        final Map<UnaryOperator<TransportOptions>, Set<String>> cases = Map.of(
            o -> o.withIoMode(IoMode.NIO), Set.of("ioMode"),
            o -> o.withIoThreads(3), Set.of("ioThreads"),
            o -> o.withOutboundQueueBytes(1 << 20), Set.of("outboundQueueBytes"),
            o -> o.withOutboundQueueBytes(256 * 1024), Set.of("outboundQueueBytes", "congestionBytes"),
            o -> o.withLingerMillis(7), Set.of("lingerMillis"),
            o -> o.withHandshakeTimeoutMillis(9), Set.of("handshakeTimeoutMillis"),
            o -> o.withMaxConnections(11), Set.of("maxConnections"),
            o -> o.withMaxPendingDials(13), Set.of("maxPendingDials"),
            o -> o.withTls(true), Set.of("tls"),
            o -> o.withCongestionBytes(64 * 1024), Set.of("congestionBytes"));
        for (final Map.Entry<UnaryOperator<TransportOptions>, Set<String>> e : cases.entrySet())
        {
            assertEquals(new TreeSet<>(e.getValue()), differences(d, e.getKey().apply(d)));
        }
        assertEquals(Set.of("socketBufferBytes"), differences(d, d.withSocketBufferBytes(0)));
        assertEquals(Set.of("readLimitBytesPerSecond"), differences(d, d.withReadLimitBytesPerSecond(100_000)));
        assertEquals(0, d.readLimitBytesPerSecond(), "no read limit by default");
        assertThrows(IllegalArgumentException.class, () -> d.withReadLimitBytesPerSecond(-1));
        assertEquals(128 * 1024, d.withOutboundQueueBytes(256 * 1024).congestionBytes(),
            "the congestion threshold stays at most half the queue");
        assertThrows(IllegalArgumentException.class, () -> d.withIoThreads(0), "validated like the constructor");
    }

    @Test
    void connectionAdmissionSettingsHaveDefaultsAndAreValidatedByName() throws Exception
    {
        final TransportOptions d = TransportOptions.defaults();
        assertEquals(256, d.maxUnauthenticatedConnections());
        assertEquals(20, d.newConnectionsPerSecondPerSource());
        assertEquals(40, d.newConnectionBurstPerSource());
        assertEquals(4096, d.maxConnectionSources());
        assertEquals(1, d.handshakeThreads());
        assertEquals(Set.of("maxUnauthenticatedConnections"), differences(d, d.withMaxUnauthenticatedConnections(3)));
        assertEquals(Set.of("newConnectionsPerSecondPerSource", "newConnectionBurstPerSource"),
            differences(d, d.withNewConnectionsPerSource(5, 7)));
        assertEquals(Set.of("maxConnectionSources"), differences(d, d.withMaxConnectionSources(9)));
        assertEquals(Set.of("handshakeThreads"), differences(d, d.withHandshakeThreads(2)));
        assertEquals(0, d.withNewConnectionsPerSource(0, 1).newConnectionsPerSecondPerSource(), "0: no limit");
        final Map<String, org.junit.jupiter.api.function.Executable> invalid = Map.of(
            "maxUnauthenticatedConnections", () -> d.withMaxUnauthenticatedConnections(0),
            "newConnectionsPerSecondPerSource", () -> d.withNewConnectionsPerSource(-1, 1),
            "newConnectionBurstPerSource", () -> d.withNewConnectionsPerSource(1, 0),
            "maxConnectionSources", () -> d.withMaxConnectionSources(0),
            "handshakeThreads", () -> d.withHandshakeThreads(65));
        for (final Map.Entry<String, org.junit.jupiter.api.function.Executable> e : invalid.entrySet())
        {
            final IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, e.getValue());
            assertTrue(thrown.getMessage().startsWith(e.getKey() + ":"), thrown.getMessage());
        }
    }
}
