namespace Tether.Sessions;

/// <summary>
/// The session holds something the chosen format cannot express faithfully, such as a directory whose name contains
/// a line break (a Dockerfile <c>WORKDIR</c> is one line) or text that is not valid Unicode (YAML must be). Tether
/// refuses rather than export a file that would do something else than the session did.
/// </summary>
public sealed class UnexportableSessionException : Exception
{
    /// <summary>Creates the exception with the reason.</summary>
    public UnexportableSessionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the reason and its cause.</summary>
    public UnexportableSessionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic reason.</summary>
    public UnexportableSessionException()
        : base("The session cannot be exported in this format.")
    {
    }
}
