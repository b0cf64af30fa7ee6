namespace Tether.Sessions;

/// <summary>
/// The base of the errors of shell recording (<see cref="Recorder"/>): each says what was wrong and what to do, in one
/// line fit for a terminal.
/// </summary>
public abstract class RecordingException : Exception
{
    private protected RecordingException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
