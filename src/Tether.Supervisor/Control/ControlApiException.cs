namespace Tether.Supervisor;

/// <summary>
/// The control API answered with an error (<c>{"error":{"code","message"}}</c>): an unknown service, an invalid
/// configuration on reload, a bad request. <see cref="Exception.Message"/> is the server's one-line message.
/// </summary>
public sealed class ControlApiException : Exception
{
    /// <summary>Creates the exception from the API's answer.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="code">The error's code (<c>not_found</c>, <c>invalid_configuration</c>, …; see docs/api.md).</param>
    /// <param name="message">The error's one-line message.</param>
    public ControlApiException(int status, string code, string message)
        : base(message)
    {
        Status = status;
        Code = code;
    }

    /// <summary>The HTTP status of the answer.</summary>
    public int Status { get; }

    /// <summary>The error's code, as docs/api.md lists them.</summary>
    public string Code { get; }
}
