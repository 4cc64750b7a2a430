package dev.hearsay.sim;

/**
 * Metrics of one broadcast round.
 *
 * @param index         round number, from 1 (warm-up rounds are numbered from 1 in their own list).
 * @param broadcasts    broadcasts started in the round.
 * @param expected      deliveries expected: for each broadcast, the nodes live at its start other than its author.
 * @param delivered     expected deliveries that happened before the round closed.
 * @param prompt        expected deliveries that happened within {@link SimConfig#promptNanos()} of their broadcast.
 * @param deliveries    all first deliveries by nodes other than the author (expected or not).
 * @param payload       Gossip messages that carried the round's broadcasts.
 * @param control       PlumTree control messages (IHave, Graft, Prune) sent during the round.
 * @param membership    HyParView messages sent during the round.
 * @param ldh           largest hop count of a delivery, as reported by the protocol.
 * @param completionNanos virtual time from the round's start to its last expected delivery.
 * @param durationNanos virtual time from the first broadcast to the end of the round (settling included).
 */
public record RoundReport(int index, int broadcasts, long expected, long delivered, long prompt, long deliveries,
    long payload, long control, long membership, int ldh, long completionNanos, long durationNanos)
{
    /** Prompt / expected: the share delivered within {@link SimConfig#promptNanos()}; 1 when nothing expected. */
    public double promptReliability()
    {
        return expected == 0 ? 1.0 : (double)prompt / expected;
    }

    /** Delivered / expected; 1 when nothing was expected. */
    public double reliability()
    {
        return expected == 0 ? 1.0 : (double)delivered / expected;
    }

    /** Relative message redundancy: payload / deliveries - 1 (deliveries exclude the authors); NaN if none. */
    public double rmr()
    {
        return deliveries == 0 ? Double.NaN : (double)payload / deliveries - 1.0;
    }

    /** Expected deliveries that did not happen. */
    public long missed()
    {
        return expected - delivered;
    }
}
