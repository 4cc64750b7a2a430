package dev.hearsay.perf.jmh;

import com.sun.management.ThreadMXBean;
import dev.hearsay.NodeKey;
import dev.hearsay.SignatureScheme;
import dev.hearsay.codec.SignedBytes;
import dev.hearsay.transport.BouncyCastleSignatureScheme;
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
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The two {@link SignatureScheme}s side by side, through the interface the engine calls: {@code sign} (what a
 * publishing thread pays per broadcast with signMessages) and {@code verify} (what a receiving I/O thread pays per
 * message with verifySignatures, the author's key already decoded) over the signed bytes of a message with a
 * {@code payloadSize}-byte payload. Each iteration also prints the benchmark thread's CPU time and allocated bytes
 * per operation (the JVM's per-thread counters), which a shared machine's load does not inflate.
 * <p>
 * Run: {@code java -cp perf/target/hearsay-perf.jar org.openjdk.jmh.Main SignatureScheme}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
@State(Scope.Thread)
public class SignatureSchemeBenchmark
{
    @Param({"jdk", "bouncycastle"})
    public String scheme;

    @Param({"64", "1024"})
    public int payloadSize;

    private NodeKey key;
    private SignatureScheme.Signer signer;
    private SignatureScheme.Verifier verifier;
    private byte[] message;
    private final byte[] signature = new byte[NodeKey.SIGNATURE_LENGTH];
    private final byte[] scratch = new byte[NodeKey.SIGNATURE_LENGTH];
    private final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();
    private long operations;
    private long cpuAtStart;
    private long allocatedAtStart;

    @Setup
    public void setUp()
    {
        final SignatureScheme s = "jdk".equals(scheme) ? SignatureScheme.jdk() : BouncyCastleSignatureScheme.INSTANCE;
        key = NodeKey.fromSeed(7L);
        signer = s.newSigner(key);
        verifier = s.newVerifier(16);
        message = new byte[SignedBytes.PREAMBLE_LENGTH + payloadSize];
        new Random(1).nextBytes(message);
        signer.sign(message, 0, message.length, signature, 0);
        if (!verify())
        {
            throw new IllegalStateException("the signature does not verify: the benchmark would measure a failure");
        }
    }

    @Setup(Level.Iteration)
    public void startIteration()
    {
        operations = 0;
        cpuAtStart = threads.getCurrentThreadCpuTime();
        allocatedAtStart = threads.getCurrentThreadAllocatedBytes();
    }

    @TearDown(Level.Iteration)
    public void endIteration()
    {
        final long cpu = threads.getCurrentThreadCpuTime() - cpuAtStart;
        final long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedAtStart;
        if (operations > 0)
        {
            System.out.printf(" [cpu %.1f us/op, %d B/op]", cpu / 1000.0 / operations, allocated / operations);
        }
    }

    @Benchmark
    public byte[] sign()
    {
        operations++;
        signer.sign(message, 0, message.length, scratch, 0);
        return scratch;
    }

    @Benchmark
    public boolean verify()
    {
        operations++;
        return verifier.verify(key.id(), message, 0, message.length, signature, 0);
    }
}
