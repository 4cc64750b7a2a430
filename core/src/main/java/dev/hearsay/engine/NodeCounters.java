package dev.hearsay.engine;

import dev.hearsay.NodeId;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The live counters of one node in an Agrona counters buffer ({@link CountersManager}): the engine's, the
 * protocol's and the transport's, each written by its owner thread with ordered or atomic stores, readable at any
 * time from any thread or, when the buffer is a memory-mapped file, from another process ({@code hearsay-perf.jar
 * stat}, like Aeron's AeronStat).
 * <p>
 * File layout ({@value #FILE_SUFFIX} files in the counters directory): a {@value #HEADER_LENGTH}-byte header
 * (magic, version, offsets and lengths of the two buffers, pid, start time, heartbeat, node id), then the counters
 * metadata buffer, then the values buffer, both in {@link CountersReader}'s layout. The heartbeat (epoch
 * milliseconds) is refreshed by the dispatcher about every {@value #HEARTBEAT_INTERVAL_MS} ms, so a reader can
 * tell a live node from a dead one's leftovers.
 * <p>
 * Counters are allocated only while the node is being built, on that one thread (allocation is not thread-safe;
 * reading and updating are). {@link #close()} deletes the file but does not unmap it: a thread still updating a
 * counter during shutdown writes to valid memory, which is released when this object is collected.
 */
public final class NodeCounters implements AutoCloseable
{
    /** Name suffix of counters files. */
    public static final String FILE_SUFFIX = ".counters";
    /** File magic: "HSYC". */
    public static final int MAGIC = 0x43595348;
    /** File layout version. */
    public static final int VERSION = 1;
    /** Bytes before the metadata buffer (one page). */
    public static final int HEADER_LENGTH = 4096;
    /** Counters a node can hold. */
    public static final int MAX_COUNTERS = 128;
    /** How often the dispatcher refreshes the heartbeat. */
    public static final long HEARTBEAT_INTERVAL_MS = 100;

    /** Counter type of engine counters ({@link EngineCounter}). */
    public static final int TYPE_ENGINE = 1;
    /** Counter type of protocol counters (mirrored from {@code ProtocolStats} by the dispatcher). */
    public static final int TYPE_PROTOCOL = 2;
    /** Counter type of transport counters. */
    public static final int TYPE_TRANSPORT = 3;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int METADATA_OFFSET_OFFSET = 8;
    static final int METADATA_LENGTH_OFFSET = 12;
    static final int VALUES_OFFSET_OFFSET = 16;
    static final int VALUES_LENGTH_OFFSET = 20;
    static final int PID_OFFSET = 24;
    static final int START_OFFSET = 32;
    static final int HEARTBEAT_OFFSET = 40;
    static final int NODE_ID_OFFSET = 48;

    private static final int METADATA_LENGTH = MAX_COUNTERS * CountersReader.METADATA_LENGTH;
    private static final int VALUES_LENGTH = MAX_COUNTERS * CountersReader.COUNTER_LENGTH;

    private final UnsafeBuffer header;
    private final CountersManager manager;
    private final Path file;
    /** Keeps the mapping alive as long as this object: it is never unmapped explicitly (see the class comment). */
    private final MappedByteBuffer mapped;

    private NodeCounters(final UnsafeBuffer whole, final Path file, final MappedByteBuffer mapped)
    {
        this.file = file;
        this.mapped = mapped;
        this.header = new UnsafeBuffer(whole, 0, HEADER_LENGTH);
        final AtomicBuffer metadata = new UnsafeBuffer(whole, HEADER_LENGTH, METADATA_LENGTH);
        final AtomicBuffer values = new UnsafeBuffer(whole, HEADER_LENGTH + METADATA_LENGTH, VALUES_LENGTH);
        this.manager = new CountersManager(metadata, values, StandardCharsets.US_ASCII);
    }

    /** Counters in heap memory: readable in this process only. */
    public static NodeCounters inMemory(final NodeId node)
    {
        // Off-heap and cache-line aligned, as Agrona's counters want for atomic 8-byte access.
        final NodeCounters counters = new NodeCounters(
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(fileLength(), BitUtil.CACHE_LINE_LENGTH)), null, null);
        counters.writeHeader(node);
        return counters;
    }

    /**
     * Counters in a memory-mapped file {@code dir/<first 16 hex digits of the node id>.counters}, created (or
     * replaced) now; the directory is created if missing. Failure: {@link UncheckedIOException}.
     */
    public static NodeCounters mapped(final Path dir, final NodeId node)
    {
        try
        {
            Files.createDirectories(dir);
            final Path file = dir.resolve(fileName(node));
            // A leftover of an earlier run of this node would show its old counters as allocated: start clean.
            Files.deleteIfExists(file);
            final MappedByteBuffer mapped = IoUtil.mapNewFile(file.toFile(), fileLength(), true);
            final NodeCounters counters = new NodeCounters(new UnsafeBuffer(mapped), file, mapped);
            counters.writeHeader(node);
            return counters;
        }
        catch (final IOException | RuntimeException e)
        {
            throw new UncheckedIOException("counters file in " + dir + ": " + e.getMessage(),
                e instanceof IOException io ? io : new IOException(e));
        }
    }

    /** The name of {@code node}'s counters file. */
    public static String fileName(final NodeId node)
    {
        return node.toString().substring(0, 16) + FILE_SUFFIX;
    }

    /** Total bytes of a counters file. */
    public static int fileLength()
    {
        return HEADER_LENGTH + METADATA_LENGTH + VALUES_LENGTH;
    }

    /** The directory {@code stat} and {@code chat} use when none is given: {@code <java.io.tmpdir>/hearsay}. */
    public static Path defaultDirectory()
    {
        return Path.of(System.getProperty("java.io.tmpdir"), "hearsay");
    }

    private void writeHeader(final NodeId node)
    {
        header.putInt(METADATA_OFFSET_OFFSET, HEADER_LENGTH);
        header.putInt(METADATA_LENGTH_OFFSET, METADATA_LENGTH);
        header.putInt(VALUES_OFFSET_OFFSET, HEADER_LENGTH + METADATA_LENGTH);
        header.putInt(VALUES_LENGTH_OFFSET, VALUES_LENGTH);
        header.putLong(PID_OFFSET, ProcessHandle.current().pid());
        header.putLong(START_OFFSET, System.currentTimeMillis());
        header.putLong(HEARTBEAT_OFFSET, System.currentTimeMillis());
        node.write(header, NODE_ID_OFFSET);
        header.putInt(VERSION_OFFSET, VERSION);
        // Magic last, with a release: a reader that sees it sees a complete header.
        header.putIntRelease(MAGIC_OFFSET, MAGIC);
    }

    /** Allocates a counter (on the thread building the node only). */
    public AtomicCounter newCounter(final String label, final int typeId)
    {
        return manager.newCounter(label, typeId);
    }

    /** A reader of every counter (any thread). */
    public CountersReader reader()
    {
        return manager;
    }

    /** Refreshes the heartbeat (the dispatcher does, about every {@value #HEARTBEAT_INTERVAL_MS} ms). */
    public void heartbeat(final long epochMillis)
    {
        header.putLongRelease(HEARTBEAT_OFFSET, epochMillis);
    }

    /** The counters file, or null for in-memory counters. */
    public Path file()
    {
        return file;
    }

    /** Deletes the counters file, if any (the memory stays valid until this object is collected). */
    @Override
    public void close()
    {
        if (file != null)
        {
            try
            {
                Files.deleteIfExists(file);
            }
            catch (final IOException e)
            {
                // Nothing to do: a stale file is recognised by its old heartbeat.
            }
        }
    }

    /**
     * A read-only view of a counters file written by another process (or this one): header fields and a
     * {@link CountersReader}. Validates the header before trusting any offset.
     */
    public static final class View
    {
        private final Path file;
        private final UnsafeBuffer header;
        private final CountersReader reader;
        private final MappedByteBuffer mapped;

        private View(final Path file, final MappedByteBuffer mapped, final UnsafeBuffer whole)
        {
            this.file = file;
            this.mapped = mapped;
            this.header = new UnsafeBuffer(whole, 0, HEADER_LENGTH);
            final int metadataOffset = header.getInt(METADATA_OFFSET_OFFSET);
            final int metadataLength = header.getInt(METADATA_LENGTH_OFFSET);
            final int valuesOffset = header.getInt(VALUES_OFFSET_OFFSET);
            final int valuesLength = header.getInt(VALUES_LENGTH_OFFSET);
            if (metadataOffset < HEADER_LENGTH || metadataLength <= 0 || valuesLength <= 0
                || (long)metadataOffset + metadataLength > valuesOffset
                || (long)valuesOffset + valuesLength > whole.capacity())
            {
                throw new IllegalArgumentException(file + ": inconsistent counters layout");
            }
            this.reader = new CountersReader(new UnsafeBuffer(whole, metadataOffset, metadataLength),
                new UnsafeBuffer(whole, valuesOffset, valuesLength), StandardCharsets.US_ASCII);
        }

        /** Maps {@code file} read-only; {@link IllegalArgumentException} if it is not a counters file. */
        public static View open(final Path file)
        {
            final long size;
            try
            {
                size = Files.size(file);
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException(e);
            }
            if (size < HEADER_LENGTH || size > Integer.MAX_VALUE)
            {
                throw new IllegalArgumentException(file + ": not a counters file (" + size + " bytes)");
            }
            final MappedByteBuffer mapped = IoUtil.mapExistingFile(file.toFile(), FileChannel.MapMode.READ_ONLY,
                "counters");
            final UnsafeBuffer whole = new UnsafeBuffer(mapped);
            if (whole.getIntVolatile(MAGIC_OFFSET) != MAGIC || whole.getInt(VERSION_OFFSET) != VERSION)
            {
                IoUtil.unmap(mapped);
                throw new IllegalArgumentException(file + ": not a counters file of version " + VERSION);
            }
            return new View(file, mapped, whole);
        }

        /** The file. */
        public Path file()
        {
            return file;
        }

        /** The node that writes it. */
        public NodeId nodeId()
        {
            return NodeId.read(header, NODE_ID_OFFSET);
        }

        /** Its process id. */
        public long pid()
        {
            return header.getLong(PID_OFFSET);
        }

        /** When it started (epoch milliseconds). */
        public long startMillis()
        {
            return header.getLong(START_OFFSET);
        }

        /** Its last heartbeat (epoch milliseconds). */
        public long heartbeatMillis()
        {
            return header.getLongVolatile(HEARTBEAT_OFFSET);
        }

        /** Every counter. */
        public CountersReader reader()
        {
            return reader;
        }

        /** Unmaps the file; the view must not be used afterwards. */
        public void close()
        {
            IoUtil.unmap(mapped);
        }
    }
}
