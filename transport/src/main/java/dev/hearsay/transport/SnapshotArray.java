package dev.hearsay.transport;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * A set of references kept as an array that is replaced, never changed, on every add and remove (a CAS loop): for
 * membership that changes rarely (links, connections) and is scanned often, by threads that must not lock or
 * allocate an iterator. {@link #get()} is a volatile read of the current snapshot.
 */
final class SnapshotArray<T>
{
    private final IntFunction<T[]> newArray;
    private final AtomicReference<T[]> current;

    SnapshotArray(final IntFunction<T[]> newArray)
    {
        this.newArray = newArray;
        this.current = new AtomicReference<>(newArray.apply(0));
    }

    /** The current snapshot; do not modify it. */
    T[] get()
    {
        return current.get();
    }

    /** Adds {@code item}; returns it. */
    T add(final T item)
    {
        while (true)
        {
            final T[] old = current.get();
            final T[] grown = Arrays.copyOf(old, old.length + 1);
            grown[old.length] = item;
            if (current.compareAndSet(old, grown))
            {
                return item;
            }
        }
    }

    /** Removes {@code item} (by identity) if present. */
    void remove(final T item)
    {
        while (true)
        {
            final T[] old = current.get();
            int i = 0;
            while (i < old.length && old[i] != item)
            {
                i++;
            }
            if (i == old.length)
            {
                return;
            }
            final T[] shrunk = newArray.apply(old.length - 1);
            System.arraycopy(old, 0, shrunk, 0, i);
            System.arraycopy(old, i + 1, shrunk, i, old.length - i - 1);
            if (current.compareAndSet(old, shrunk))
            {
                return;
            }
        }
    }
}
