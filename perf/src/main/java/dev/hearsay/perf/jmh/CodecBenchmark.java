package dev.hearsay.perf.jmh;

import dev.hearsay.GossipConfig;
import dev.hearsay.NodeId;
import dev.hearsay.NodeKey;
import dev.hearsay.TopicId;
import dev.hearsay.codec.MessageDecoder;
import dev.hearsay.codec.MessageEncoder;
import dev.hearsay.proto.Gossip;
import dev.hearsay.proto.IHave;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * The wire codec on its own, one thread, as the dispatcher uses it: encode into a reused buffer, decode into the
 * decoder's reused holders with ids resolved through its caches. Gossip carries a payload of {@code payloadSize}
 * bytes; IHave carries {@code ihaveRuns} runs of 16 consecutive ids from a few authors (as a lazy-push batch of several
 * authors' streams does). The figures to check
 * with {@code -prof gc}: {@code gc.alloc.rate.norm} is 0 B/op for all four.
 * <p>
 * Run: {@code java -cp perf/target/hearsay-perf.jar org.openjdk.jmh.Main Codec -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx1g"})
@State(Scope.Thread)
public class CodecBenchmark
{
    private static final int AUTHORS = 4;

    @Param({"64"})
    public int payloadSize;

    @Param({"32"})
    public int ihaveRuns;

    private final MessageEncoder encoder = new MessageEncoder(GossipConfig.defaults());
    private final MessageDecoder decoder = new MessageDecoder(GossipConfig.defaults());
    private final Gossip gossip = new Gossip();
    private final IHave ihave = new IHave();
    private UnsafeBuffer out;
    private UnsafeBuffer gossipFrame;
    private int gossipLength;
    private UnsafeBuffer ihaveFrame;
    private int ihaveLength;
    private long sequence;

    @Setup(Level.Trial)
    public void setUp()
    {
        final GossipConfig config = GossipConfig.defaults();
        out = new UnsafeBuffer(new byte[MessageEncoder.maxEncodedLength(config.maxMessageSize(),
            config.maxPeerDataSize())]);
        final TopicId topic = TopicId.of("jmh");
        final NodeId[] authors = new NodeId[AUTHORS];
        for (int i = 0; i < AUTHORS; i++)
        {
            authors[i] = NodeKey.fromSeed(seed(i + 1)).id();
        }
        gossip.set(authors[0], 7, 1, 2, false).payload(new UnsafeBuffer(new byte[payloadSize]), 0, payloadSize)
            .topic(topic);
        gossipFrame = new UnsafeBuffer(new byte[MessageEncoder.encodedLength(gossip)]);
        gossipLength = encoder.encode(gossip, gossipFrame, 0);

        ihave.clear().topic(topic);
        for (int i = 0; i < ihaveRuns; i++)
        {
            ihave.appendRun(authors[i % AUTHORS], 7, 1_000 + 16L * i, 16, 1 + i % 3);
        }
        ihaveFrame = new UnsafeBuffer(new byte[MessageEncoder.encodedLength(ihave)]);
        ihaveLength = encoder.encode(ihave, ihaveFrame, 0);
    }

    private static byte[] seed(final int value)
    {
        final byte[] seed = new byte[32];
        seed[0] = (byte)value;
        return seed;
    }

    @Benchmark
    public int encodeGossip()
    {
        gossip.set(gossip.author(), gossip.epoch(), ++sequence, gossip.hops(), false);
        return encoder.encode(gossip, out, 0);
    }

    @Benchmark
    public void decodeGossip(final Blackhole bh)
    {
        final Gossip decoded = (Gossip)decoder.decode(gossipFrame, 0, gossipLength);
        bh.consume(decoded.sequence());
        bh.consume(decoded.payloadLength());
    }

    @Benchmark
    public int encodeIHave()
    {
        return encoder.encode(ihave, out, 0);
    }

    @Benchmark
    public void decodeIHave(final Blackhole bh)
    {
        final IHave decoded = (IHave)decoder.decode(ihaveFrame, 0, ihaveLength);
        bh.consume(decoded.size());
        bh.consume(decoded.firstSequence(decoded.size() - 1));
    }
}
