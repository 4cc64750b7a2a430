package dev.hearsay.engine;

import dev.hearsay.MessageValidator;
import dev.hearsay.TopicId;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The validators of each topic (those of its open subscriptions), for the threads that hand frames to the ring. Any
 * thread, lock-free: an immutable map replaced copy-on-write by compare-and-set when a subscription with a validator
 * opens or closes (rare), read with one volatile load per frame. A reader may see the map of just before a change:
 * a frame validated meanwhile is judged by the validators of that moment.
 */
final class TopicValidators
{
    private final AtomicReference<Map<TopicId, MessageValidator[]>> byTopic = new AtomicReference<>(Map.of());

    /** True while no topic has a validator: frames are then not looked at. */
    boolean isEmpty()
    {
        return byTopic.get().isEmpty();
    }

    /** The validators of {@code topic}, or null when it has none. The array is never changed. */
    MessageValidator[] of(final TopicId topic)
    {
        return byTopic.get().get(topic);
    }

    /** Adds {@code validator} to {@code topic}'s (a subscription opens). */
    void add(final TopicId topic, final MessageValidator validator)
    {
        while (true)
        {
            final Map<TopicId, MessageValidator[]> current = byTopic.get();
            final MessageValidator[] old = current.get(topic);
            final MessageValidator[] validators = old == null ? new MessageValidator[1] :
                Arrays.copyOf(old, old.length + 1);
            validators[validators.length - 1] = validator;
            final HashMap<TopicId, MessageValidator[]> next = new HashMap<>(current);
            next.put(topic, validators);
            if (byTopic.compareAndSet(current, next))
            {
                return;
            }
        }
    }

    /** Removes one occurrence of {@code validator} from {@code topic}'s (its subscription closed). */
    void remove(final TopicId topic, final MessageValidator validator)
    {
        while (true)
        {
            final Map<TopicId, MessageValidator[]> current = byTopic.get();
            final MessageValidator[] old = current.get(topic);
            final int index = old == null ? -1 : Arrays.asList(old).indexOf(validator);
            if (index < 0)
            {
                return;
            }
            final HashMap<TopicId, MessageValidator[]> next = new HashMap<>(current);
            if (old.length == 1)
            {
                next.remove(topic);
            }
            else
            {
                final MessageValidator[] validators = new MessageValidator[old.length - 1];
                System.arraycopy(old, 0, validators, 0, index);
                System.arraycopy(old, index + 1, validators, index, old.length - index - 1);
                next.put(topic, validators);
            }
            if (byTopic.compareAndSet(current, next))
            {
                return;
            }
        }
    }
}
