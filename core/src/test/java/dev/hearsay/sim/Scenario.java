package dev.hearsay.sim;

/** The simulator's scenarios, each with its command-line name. */
public enum Scenario
{
    /** One node, chosen at random once, broadcasts every round. */
    SINGLE_SENDER("single-sender", 30),
    /** A random live node broadcasts each round. */
    RANDOM_SENDER("random-sender", 30),
    /** Every live node broadcasts at the same instant, each round. */
    ALL_SEND("all-send", 1),
    /**
     * A fraction of the nodes crashes at once (sparing the sender); then the single sender of the warm-up
     * broadcasts each round, so repair shows against a tree that was settled before the crash.
     */
    MASS_FAILURE("mass-failure", 10),
    /** Each round some nodes crash or leave and as many new ones join; then a random live node broadcasts. */
    CHURN("churn", 30),
    /**
     * A share of the live nodes is cut off from the others for {@link SimConfig#partitionNanos()}, then the network
     * heals; the overlay must become one component again by itself. The measured rounds start
     * {@link ScenarioRunner#PARTITION_FIRST_BROADCAST_NANOS} after the heal; the single sender of the warm-up
     * broadcasts each, so that RMR shows how far the tree settled again.
     */
    PARTITION("partition", 10);

    private final String cliName;
    private final int defaultRounds;

    Scenario(final String cliName, final int defaultRounds)
    {
        this.cliName = cliName;
        this.defaultRounds = defaultRounds;
    }

    /** Name on the command line and in reports. */
    public String cliName()
    {
        return cliName;
    }

    /** Measured rounds when none is given. */
    public int defaultRounds()
    {
        return defaultRounds;
    }

    /** The scenario called {@code name} on the command line, or null. */
    public static Scenario fromCliName(final String name)
    {
        for (final Scenario s : values())
        {
            if (s.cliName.equals(name))
            {
                return s;
            }
        }
        return null;
    }
}
