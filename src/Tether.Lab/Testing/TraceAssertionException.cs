namespace Tether.Lab;

/// <summary>A trace did not replay identically; the message is the divergence report.</summary>
public sealed class TraceAssertionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TraceAssertionException()
    {
    }

    /// <summary>Creates the exception with the report.</summary>
    public TraceAssertionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the report and a cause.</summary>
    public TraceAssertionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
