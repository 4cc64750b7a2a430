package dev.hearsay.codec;

import dev.hearsay.proto.Gossip;
import dev.hearsay.proto.Graft;
import dev.hearsay.proto.IHave;
import dev.hearsay.proto.Message;
import dev.hearsay.proto.MessageType;
import dev.hearsay.proto.Prune;
import dev.hearsay.proto.Disconnect;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed corpus of {@link MessageDecoderJazzerTest}: valid frames of every message type, made from a fixed seed.
 * The files named {@code seed-*} in the inputs directory must be exactly what {@link #seeds()} makes, so the
 * corpus follows the wire format; when the format changes, regenerate them with
 * {@code ./mvnw -B -pl core test -Dtest=FuzzSeedCorpusTest -Dhearsay.fuzz.writeSeeds=true}. Other files there
 * (inputs a fuzzing run found) are left alone.
 */
class FuzzSeedCorpusTest
{
    static final Path DIRECTORY = Path.of("src/test/resources/dev/hearsay/codec/MessageDecoderJazzerTestInputs/decode");

    /** Small limits keep the seeds short: the fuzzer mutates short inputs faster and grows them where it pays. */
    private static final int SEED_MAX_PAYLOAD = 48;
    private static final int SEED_MAX_PEER_DATA = 16;
    private static final int SEED_MAX_LENGTH = 600;
    private static final int PER_TYPE = 3;

    @Test
    @Timeout(30)
    void committedSeedsAreTheGeneratedOnes() throws IOException
    {
        final Map<String, byte[]> seeds = seeds();
        if (Boolean.getBoolean("hearsay.fuzz.writeSeeds"))
        {
            SeedCorpus.write(DIRECTORY, seeds);
        }
        SeedCorpus.check(DIRECTORY, seeds, FuzzSeedCorpusTest.class);
    }

    @Test
    @Timeout(30)
    void everySeedDecodes()
    {
        final MessageDecoder decoder = new MessageDecoder(dev.hearsay.GossipConfig.defaults());
        final List<MessageType> types = new ArrayList<>();
        seeds().forEach((name, frame) ->
        {
            final Message m = TestMessages.decode(decoder, frame);
            assertTrue(name.startsWith(prefix(m.type())), name + " decodes as " + m.type());
            types.add(m.type());
        });
        for (final MessageType type : MessageType.values())
        {
            assertTrue(types.contains(type), "a seed of type " + type);
        }
    }

    /** Valid frames, by file name. */
    static Map<String, byte[]> seeds()
    {
        final Map<String, byte[]> seeds = new LinkedHashMap<>();
        final TestMessages.Generator generator =
            new TestMessages.Generator(0x5EED_C0DEL, SEED_MAX_PAYLOAD, SEED_MAX_PEER_DATA);
        for (final MessageType type : MessageType.values())
        {
            int made = 0;
            for (int attempt = 0; made < PER_TYPE && attempt < 100; attempt++)
            {
                final byte[] frame = TestMessages.encode(generator.next(type));
                if (frame.length <= SEED_MAX_LENGTH && seeds.values().stream().noneMatch(f -> Arrays.equals(f, frame)))
                {
                    seeds.put(name(type, made++), frame);
                }
            }
        }
        // Edge cases a random draw may miss.
        seeds.put("seed-ihave-empty", TestMessages.encode(new IHave().topic(TestMessages.topicId(1))));
        seeds.put("seed-graft-noid", TestMessages.encode(new Graft().setNoId().topic(TestMessages.topicId(2))));
        seeds.put("seed-prune-only", TestMessages.encode(new Prune().topic(TestMessages.topicId(3))));
        final Disconnect disconnect = new Disconnect().set(true);
        disconnect.contacts().add(TestMessages.nodeId(4), new byte[]{1, 2, 3});
        disconnect.contacts().add(TestMessages.nodeId(5), null);
        seeds.put("seed-disconnect-two", TestMessages.encode(disconnect.topic(TestMessages.topicId(4))));
        // A batch proof of depth 3 (its bytes need not verify: the decoder only checks its shape).
        final byte[] proof = new byte[WireFormat.batchProofLength(3)];
        for (int i = 0; i < proof.length; i++)
        {
            proof[i] = (byte)(i * 7);
        }
        proof[WireFormat.SIGNATURE_LENGTH] = 3;
        proof[WireFormat.SIGNATURE_LENGTH + 1] = 0b101;
        final Gossip batchSigned = new Gossip().set(TestMessages.nodeId(6), 9, 17, 2, false)
            .payload(new UnsafeBuffer(new byte[] {4, 5, 6}), 0, 3)
            .signature(new UnsafeBuffer(proof), 0, proof.length);
        seeds.put("seed-gossip-batch-signed", TestMessages.encode(batchSigned.topic(TestMessages.topicId(5))));
        final Gossip repair = new Gossip().set(TestMessages.nodeId(7), 1, 2, 3, false).repair(true)
            .payload(new UnsafeBuffer(new byte[] {7, 8}), 0, 2);
        seeds.put("seed-gossip-repair", TestMessages.encode(repair.topic(TestMessages.topicId(6))));
        return seeds;
    }

    private static String name(final MessageType type, final int index)
    {
        return prefix(type) + "-" + index;
    }

    private static String prefix(final MessageType type)
    {
        return "seed-" + type.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
