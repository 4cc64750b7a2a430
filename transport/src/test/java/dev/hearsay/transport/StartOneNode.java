package dev.hearsay.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * What a user's first program does: start a node and close it. Prints {@code started} on success; on an
 * {@link IllegalStateException} prints {@code refused: } and its message and exits with 3. Run in a child JVM by
 * {@link AddExportsCheckTest}.
 */
final class StartOneNode
{
    static final int REFUSED = 3;

    private StartOneNode()
    {
    }

    public static void main(final String[] args)
    {
        try (GossipNode node = GossipNode.builder()
            .bindAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .start())
        {
            System.out.println("started " + node.id().shortString());
        }
        catch (final IllegalStateException e)
        {
            System.out.println("refused: " + e.getMessage());
            System.exit(REFUSED);
        }
    }
}
