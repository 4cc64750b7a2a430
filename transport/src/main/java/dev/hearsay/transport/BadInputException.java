package dev.hearsay.transport;

/** Bad input on one connection: the connection is closed with one log line and a counter. No stack trace. */
final class BadInputException extends RuntimeException
{
    BadInputException(final String message)
    {
        super(message, null, false, false);
    }
}
