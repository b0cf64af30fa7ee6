namespace Tether.Lab;

/// <summary>The bytes are not a trace, or not one this version can read; the message says what was found.</summary>
public sealed class TraceFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TraceFormatException()
    {
    }

    /// <summary>Creates the exception with what was wrong.</summary>
    public TraceFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with what was wrong and the cause.</summary>
    public TraceFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
