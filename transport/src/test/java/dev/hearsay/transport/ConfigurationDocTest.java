package dev.hearsay.transport;

import dev.hearsay.GossipConfig;
import dev.hearsay.SubscriptionOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/configuration.md names every setting of GossipConfig, TransportOptions and SubscriptionOptions. */
class ConfigurationDocTest
{
    @Test
    @Timeout(10)
    void everySettingIsDocumented() throws Exception
    {
        final String doc = Files.readString(Path.of("../docs/configuration.md"));
        final List<String> settings = new ArrayList<>();
        for (final Method m : GossipConfig.Builder.class.getDeclaredMethods())
        {
            if (Modifier.isPublic(m.getModifiers()) && !m.getName().equals("build"))
            {
                settings.add(m.getName());
            }
        }
        for (final RecordComponent c : TransportOptions.class.getRecordComponents())
        {
            settings.add(c.getName());
        }
        for (final RecordComponent c : SubscriptionOptions.class.getRecordComponents())
        {
            settings.add(c.getName());
        }
        assertTrue(settings.size() > 40, settings.toString());
        final List<String> missing = new ArrayList<>();
        for (final String s : settings)
        {
            if (!doc.contains("| `" + s + "` |") && !doc.contains("| `" + s + "` ("))
            {
                missing.add(s);
            }
        }
        assertEquals(List.of(), missing, "settings without a row in docs/configuration.md");
    }

    @Test
    @Timeout(10)
    void documentedDefaultsMatchTheCode() throws Exception
    {
        final String doc = Files.readString(Path.of("../docs/configuration.md"));
        final GossipConfig c = GossipConfig.defaults();
        final TransportOptions t = TransportOptions.defaults();
        row(doc, "activeViewCapacity", "" + c.activeViewCapacity());
        row(doc, "passiveViewCapacity", "" + c.passiveViewCapacity());
        row(doc, "maxMessageSize", "" + c.maxMessageSize());
        row(doc, "maxTopics", "" + c.maxTopics());
        row(doc, "ringSize", "" + c.ringSize());
        row(doc, "subscriptionCapacity", "" + c.subscriptionCapacity());
        row(doc, "graftTimeout1", c.graftTimeout1().toMillis() + " ms");
        row(doc, "shuffleInterval", c.shuffleInterval().toSeconds() + " s");
        row(doc, "ioThreads", "" + t.ioThreads());
        row(doc, "connectTimeoutMillis", "" + t.connectTimeoutMillis());
        row(doc, "handshakeTimeoutMillis", "" + t.handshakeTimeoutMillis());
        row(doc, "maxConnections", "" + t.maxConnections());
        row(doc, "maxPendingDials", "" + t.maxPendingDials());
        row(doc, "tls", "" + t.tls());
        row(doc, "maxUnauthenticatedConnections", "" + t.maxUnauthenticatedConnections());
        row(doc, "newConnectionsPerSecondPerSource", "" + t.newConnectionsPerSecondPerSource());
        row(doc, "newConnectionBurstPerSource", "" + t.newConnectionBurstPerSource());
        row(doc, "maxConnectionSources", "" + t.maxConnectionSources());
        row(doc, "handshakeThreads", "" + t.handshakeThreads());
        row(doc, "reorderCapacity", "" + SubscriptionOptions.defaults().reorderCapacity());
        row(doc, "maxAuthors", "" + SubscriptionOptions.defaults().maxAuthors());
        assertTrue(doc.contains("| `maxAuthors` (GossipConfig) | " + String.format(java.util.Locale.ROOT, "%,d", c.maxAuthors()) + " |"),
            "GossipConfig maxAuthors default");
        row(doc, "gapTimeout", SubscriptionOptions.defaults().gapTimeout().toSeconds() + " s");
    }

    private static void row(final String doc, final String setting, final String value)
    {
        assertTrue(doc.contains("| `" + setting + "` | " + value + " |"), setting + " should default to " + value);
    }
}
