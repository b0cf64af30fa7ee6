namespace Tether.Supervisor;

/// <summary>
/// A request the control server refuses, with the HTTP status, the error code docs/api.md lists and the one-line
/// message the client shows. Thrown inside the server only; the client sees it as <see cref="ControlApiException"/>.
/// </summary>
internal sealed class ControlError(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public static ControlError BadRequest(string message) => new(400, "bad_request", message);

    public static ControlError NotFound(string message) => new(404, "not_found", message);
}
