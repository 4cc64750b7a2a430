package dev.hearsay.proto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

@Timeout(10)
class ProtocolStatsTest
{
    @Test
    void aSnapshotCopiesEveryCounter() throws Exception
    {
        final ProtocolStats stats = new ProtocolStats();
        long value = 1;
        for (final Field f : ProtocolStats.class.getFields())
        {
            if (f.getType() == long.class && !Modifier.isStatic(f.getModifiers()))
            {
                f.setLong(stats, value++);
            }
        }
        final ProtocolStats copy = stats.snapshot();
        assertNotSame(stats, copy);
        for (final Field f : ProtocolStats.class.getFields())
        {
            if (f.getType() == long.class && !Modifier.isStatic(f.getModifiers()))
            {
                assertEquals(f.getLong(stats), f.getLong(copy), f.getName());
            }
        }
    }
}
