package dev.hearsay.proto;

/** PlumTree Prune: the sender received a duplicate from the receiver and moves it to its lazy peers. */
public final class Prune extends Message
{
    @Override
    public MessageType type()
    {
        return MessageType.PRUNE;
    }

    @Override
    public Prune copy()
    {
        final Prune c = new Prune();
        c.topic = topic;
        return c;
    }

    @Override
    public String toString()
    {
        return "Prune";
    }
}
