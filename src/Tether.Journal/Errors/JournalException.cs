namespace Tether.Journaling;

/// <summary>The base of every error the journal reports. Cancellation is reported as <see cref="OperationCanceledException"/>
/// instead; bad arguments as <see cref="ArgumentException"/>.</summary>
public abstract class JournalException : Exception
{
    private protected JournalException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
