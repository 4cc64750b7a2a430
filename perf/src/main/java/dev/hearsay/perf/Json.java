package dev.hearsay.perf;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** Minimal JSON object writer for the CLI's one-line reports (no library on purpose: the jar stays small). */
public final class Json
{
    private static final MathContext SIX_DIGITS = new MathContext(6);

    private final StringBuilder sb = new StringBuilder(512);
    private boolean first = true;

    /** An empty object. */
    public Json()
    {
        sb.append('{');
    }

    /** Adds an integer field. */
    public Json field(final String name, final long value)
    {
        key(name).append(value);
        return this;
    }

    /** Adds a number field (six significant digits; NaN and infinities as null). */
    public Json field(final String name, final double value)
    {
        final StringBuilder b = key(name);
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            b.append("null");
        }
        else
        {
            // Six significant digits are plenty for rates and ratios, and plain notation reads well.
            b.append(new BigDecimal(value).round(SIX_DIGITS).stripTrailingZeros().toPlainString());
        }
        return this;
    }

    /** Adds a boolean field. */
    public Json field(final String name, final boolean value)
    {
        key(name).append(value);
        return this;
    }

    /** Adds a string field (null as null). */
    public Json field(final String name, final String value)
    {
        final StringBuilder b = key(name);
        if (value == null)
        {
            b.append("null");
        }
        else
        {
            quote(b, value);
        }
        return this;
    }

    /** A field whose value is already JSON text. */
    public Json raw(final String name, final String json)
    {
        key(name).append(json);
        return this;
    }

    /** A JSON array of values that are already JSON text. */
    public static String array(final Iterable<?> values)
    {
        final StringBuilder b = new StringBuilder("[");
        for (final Object value : values)
        {
            if (b.length() > 1)
            {
                b.append(',');
            }
            b.append(value);
        }
        return b.append(']').toString();
    }

    /** A number as a JSON value (six significant digits; NaN and infinities as null), for {@link #array}. */
    public static String number(final double value)
    {
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            return "null";
        }
        return new BigDecimal(value).round(SIX_DIGITS).stripTrailingZeros().toPlainString();
    }

    /** A string as a JSON value, for {@link #array}. */
    public static String string(final String value)
    {
        final StringBuilder b = new StringBuilder();
        quote(b, value);
        return b.toString();
    }

    @Override
    public String toString()
    {
        return sb + "}";
    }

    private StringBuilder key(final String name)
    {
        if (!first)
        {
            sb.append(',');
        }
        first = false;
        quote(sb, name);
        return sb.append(':');
    }

    private static void quote(final StringBuilder b, final String s)
    {
        b.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
                    }
                    else
                    {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
