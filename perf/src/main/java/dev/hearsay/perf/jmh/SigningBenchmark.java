package dev.hearsay.perf.jmh;

import dev.hearsay.NodeKey;
import dev.hearsay.TopicId;
import dev.hearsay.codec.SignedBytes;
import dev.hearsay.proto.Gossip;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * What optional message signing costs per message, on one thread, with the JDK's Ed25519 (the code path of the
 * engine's signer and verifier: the {@link SignedBytes} preamble, then the payload, through a reused
 * {@link NodeKey.Signer} / {@link NodeKey.Verifier}).
 * <ul>
 * <li>{@code sign}: what an author's dispatcher pays once per broadcast.</li>
 * <li>{@code verify}: what every receiver's dispatcher pays per copy received (duplicates included), with the
 * author's public key in the verifier's cache, as in steady state.</li>
 * <li>{@code verifyNewKey}: the same with the key decoded every time (an author not seen recently).</li>
 * <li>{@code signOneShot}: {@link NodeKey#sign(byte[])}, which looks up a new {@code Signature} per call: the
 * baseline the reusable signer improves on.</li>
 * </ul>
 * On a shared machine the wall-clock scores swing with the load; each iteration therefore also prints the CPU time
 * the benchmark thread spent per operation (from the JVM's per-thread CPU clock), which a descheduled thread does
 * not accumulate.
 * <p>
 * Run: {@code java -cp perf/target/hearsay-perf.jar org.openjdk.jmh.Main Signing}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
@State(Scope.Thread)
public class SigningBenchmark
{
    @Param({"64", "1024", "4096"})
    public int payloadSize;

    private NodeKey key;
    private NodeKey.Signer signer;
    private NodeKey.Verifier verifier;
    private Gossip message;
    private byte[] payload;
    private final byte[] preamble = new byte[SignedBytes.PREAMBLE_LENGTH];
    private final byte[] signature = new byte[NodeKey.SIGNATURE_LENGTH];
    private byte[] oneShotInput;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private long operations;
    private long cpuAtStart;

    @Setup
    public void setUp()
    {
        key = NodeKey.fromSeed(7L);
        signer = key.newSigner();
        verifier = new NodeKey.Verifier(16);
        payload = new byte[payloadSize];
        new Random(1).nextBytes(payload);
        message = new Gossip();
        message.set(key.id(), 1, 42, 3, false).payload(new UnsafeBuffer(payload), 0, payloadSize)
            .topic(TopicId.of("jmh"));
        SignedBytes.writePreamble(message, new UnsafeBuffer(preamble), 0);
        signer.update(preamble, 0, preamble.length);
        signer.update(payload, 0, payload.length);
        signer.sign(signature, 0);
        oneShotInput = new byte[preamble.length + payload.length];
        System.arraycopy(preamble, 0, oneShotInput, 0, preamble.length);
        System.arraycopy(payload, 0, oneShotInput, preamble.length, payload.length);
        if (!verify() || !verifyNewKey())
        {
            throw new IllegalStateException("the signature does not verify: the benchmark would measure a failure");
        }
    }

    @Setup(Level.Iteration)
    public void startIteration()
    {
        operations = 0;
        cpuAtStart = threads.getCurrentThreadCpuTime();
    }

    @TearDown(Level.Iteration)
    public void endIteration()
    {
        final long cpu = threads.getCurrentThreadCpuTime() - cpuAtStart;
        if (operations > 0)
        {
            System.out.printf(" [cpu %.1f us/op]", cpu / 1000.0 / operations);
        }
    }

    @Benchmark
    public byte[] sign()
    {
        operations++;
        SignedBytes.writePreamble(message, new UnsafeBuffer(preamble), 0);
        signer.update(preamble, 0, preamble.length);
        signer.update(payload, 0, payload.length);
        signer.sign(signature, 0);
        return signature;
    }

    @Benchmark
    public boolean verify()
    {
        operations++;
        verifier.begin(key.id());
        SignedBytes.writePreamble(message, new UnsafeBuffer(preamble), 0);
        verifier.update(preamble, 0, preamble.length);
        verifier.update(payload, 0, payload.length);
        return verifier.verify(signature, 0);
    }

    @Benchmark
    public boolean verifyNewKey()
    {
        operations++;
        final NodeKey.Verifier fresh = new NodeKey.Verifier(1);
        fresh.begin(key.id());
        fresh.update(preamble, 0, preamble.length);
        fresh.update(payload, 0, payload.length);
        return fresh.verify(signature, 0);
    }

    @Benchmark
    public byte[] signOneShot()
    {
        operations++;
        return key.sign(oneShotInput);
    }
}
