package dev.hearsay.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The inbound path (framing, handshake, authenticated frames, decoder) on fuzzed input, without sockets. */
class InboundFuzzTest
{
    @Test
    @Timeout(60)
    void fuzzedInputNeverEscapesAndEveryBadConnectionIsClosed()
    {
        for (long seed = 1; seed <= 2; seed++)
        {
            final InboundFuzzer.Result r = new InboundFuzzer(seed).run(100_000);
            System.out.println(r);
            assertTrue(r.passed(), r.toString());
            assertTrue(r.connections() > 300 && r.frames() > 90_000, r.toString());
            assertTrue(r.framesDecoded() > 0 && r.framesRejected() > 0, "both outcomes reached: " + r);
        }
    }
}
