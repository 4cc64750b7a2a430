package dev.hearsay.proto;

/**
 * How the repair tables (missing messages, their id table and timer queues) grow: by doubling while small, then in
 * one jump to their bound, or to {@link #JUMP} if the bound is larger (the defaults' bounds are within it), then by
 * doubling again. A topic that ever has a thousand messages announced but not yet arrived is a busy one whose
 * backlog comes and goes with the lag of its links; growing it step by step allocated again at every new high-water
 * mark, in the middle of steady traffic, where one jump allocates once (and less in all than the doublings it
 * replaces). With the default {@code missingCapacity} (4,096 runs) the jump allocates about 1 MB per topic.
 */
final class Growth
{
    /** Length up to which a table doubles. */
    static final int KNEE = 1024;
    /** Length a table at the knee jumps to, when its bound is larger. */
    static final int JUMP = 1 << 17;

    private Growth()
    {
    }

    /** The next length of a table of {@code length} whose largest length is {@code bound}. */
    static int next(final int length, final int bound)
    {
        final int next = length < KNEE ? length * 2 : length < JUMP ? JUMP : length * 2;
        return Math.max(length, Math.min(next, bound));
    }
}
