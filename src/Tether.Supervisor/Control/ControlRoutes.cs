using System.Globalization;
using System.Text.Json;

namespace Tether.Supervisor;

/// <summary>
/// The routes of the control API (docs/api.md) over one <see cref="ISupervisorControl"/>. Knows nothing of sockets or
/// who is asking: the server checks the peer (Unix socket) or the token (TCP, <see cref="HttpAccess"/>) first. Beyond the
/// JSON API: the status page (<c>/</c>, <c>/assets/…</c>), its live feed (<c>/api/events</c>), the decision timeline
/// (<c>/api/journal</c>) and <c>/metrics</c>.
/// </summary>
internal sealed class ControlRoutes(ISupervisorControl control, PageSite site)
{
    /// <summary>The most lines one <c>GET /api/logs</c> may ask for.</summary>
    public const int MaxLines = 100_000;

    private const int DefaultLines = 100;

    /// <summary>Answers <paramref name="request"/> on <paramref name="response"/>.</summary>
    /// <param name="request">The request.</param>
    /// <param name="response">Where the answer goes.</param>
    /// <param name="writeDeadline">Bounds the writing of a response that is not a stream.</param>
    /// <param name="stopping">Ends a followed log stream when the server stops.</param>
    /// <exception cref="ControlError">The request is refused (the caller writes the error document).</exception>
    public async Task HandleAsync(ControlRequest request, ControlResponse response, CancellationToken writeDeadline, CancellationToken stopping)
    {
        var segments = Segments(request.Path);
        switch (segments)
        {
            case ["api", "status"]:
                Require(request, "GET");
                var status = control.Status();
                await response.WriteJsonAsync(200, w => ControlJson.WriteStatus(w, status), writeDeadline).ConfigureAwait(false);
                break;
            case ["api", "services", var name]:
                Require(request, "GET");
                var snapshot = control.Status();
                if (!snapshot.Instances.Any(i => i.Id.Service == name))
                {
                    throw UnknownService(name);
                }

                await response.WriteJsonAsync(200, w => ControlJson.WriteService(w, snapshot, name), writeDeadline).ConfigureAwait(false);
                break;
            case ["api", "services", var name, var verb] when Action(verb) is { } action:
                Require(request, "POST");
                await CommandAsync(request, response, name, action, writeDeadline).ConfigureAwait(false);
                break;
            case ["api", "logs"]:
                Require(request, "GET");
                await LogsAsync(request, response, writeDeadline, stopping).ConfigureAwait(false);
                break;
            case ["api", "events"]:
                Require(request, "GET");
                await new StatusEvents(control, site.Options).StreamAsync(response, writeDeadline, stopping).ConfigureAwait(false);
                break;
            case ["api", "journal"]:
                Require(request, "GET");
                await JournalTimeline.WriteAsync(control, site.Options.JournalDirectory, request, response, writeDeadline).ConfigureAwait(false);
                break;
            case ["metrics"]:
                Require(request, "GET");
                var text = SupervisorMetrics.Render(control.Status());
                await response.WriteContentAsync(200, SupervisorMetrics.ContentType, System.Text.Encoding.UTF8.GetBytes(text), writeDeadline).ConfigureAwait(false);
                break;
            case [] when site.ServesPage:
                Require(request, "GET");
                await response.WriteContentAsync(200, "text/html; charset=utf-8", StatusPage.Render(site.Csrf), writeDeadline, StatusPage.PolicyHeader).ConfigureAwait(false);
                break;
            case ["assets", var asset] when site.ServesPage && StatusPage.Asset(asset) is { } found:
                Require(request, "GET");
                await response.WriteContentAsync(200, found.ContentType, found.Bytes, writeDeadline, StatusPage.PolicyHeader).ConfigureAwait(false);
                break;
            case ["api", "reload"]:
                Require(request, "POST");
                ReloadReport report;
                try
                {
                    report = await control.ReloadAsync(writeDeadline).ConfigureAwait(false);
                }
                catch (SupervisorCommandException ex)
                {
                    throw new ControlError(422, "invalid_configuration", ex.Message);
                }

                await response.WriteJsonAsync(200, w => ControlJson.WriteReloadReport(w, report), writeDeadline).ConfigureAwait(false);
                break;
            case ["api", "down"]:
                Require(request, "POST");
                var force = ReadBody(request, "force", JsonValueKind.True) is { } forced && forced.GetBoolean();
                await control.ShutdownAsync(force, writeDeadline).ConfigureAwait(false);
                await response.WriteJsonAsync(202, w =>
                {
                    w.WriteStartObject();
                    w.WriteBoolean("shutting_down", true);
                    w.WriteBoolean("force", force);
                    w.WriteEndObject();
                }, writeDeadline).ConfigureAwait(false);
                break;
            default:
                throw ControlError.NotFound($"no route {request.Method} {request.Path}: see docs/api.md for the routes, such as GET /api/status");
        }
    }

    private async Task CommandAsync(ControlRequest request, ControlResponse response, string name, OperatorAction action, CancellationToken cancellationToken)
    {
        var replicas = 0;
        if (action == OperatorAction.Scale)
        {
            var value = ReadBody(request, "replicas", JsonValueKind.Number)
                ?? throw ControlError.BadRequest("scale needs a body like {\"replicas\": 2}");
            if (!value.TryGetInt32(out replicas) || replicas < 0)
            {
                throw ControlError.BadRequest($"replicas must be a whole number from 0, not {value.GetRawText()}");
            }
        }

        try
        {
            await control.CommandAsync(action, name, replicas, cancellationToken).ConfigureAwait(false);
        }
        catch (SupervisorCommandException ex)
        {
            // The engine names the reason; a name no instance carries is the usual one and gets its own status.
            throw control.Status().Instances.Any(i => i.Id.Service == name)
                ? new ControlError(409, "rejected", ex.Message)
                : new ControlError(404, "not_found", ex.Message);
        }

        await response.WriteJsonAsync(202, w =>
        {
            w.WriteStartObject();
            w.WriteString("service", name);
            w.WriteString("action", ControlJson.Word(action));
            if (action == OperatorAction.Scale)
            {
                w.WriteNumber("replicas", replicas);
            }

            w.WriteEndObject();
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task LogsAsync(ControlRequest request, ControlResponse response, CancellationToken writeDeadline, CancellationToken stopping)
    {
        var services = request.Values("service")
            .SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        var lines = DefaultLines;
        if (request.Value("lines") is { } text && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out lines) || lines > MaxLines))
        {
            throw ControlError.BadRequest($"lines must be a whole number from 0 to {MaxLines}, not '{text}'");
        }

        var follow = request.Value("follow") is "1" or "true";
        IReadOnlyList<LogLine> backlog;
        try
        {
            backlog = control.Logs(services, lines);
        }
        catch (SupervisorCommandException ex)
        {
            throw ControlError.NotFound(ex.Message);
        }

        // The backlog is written under the request deadline; a followed stream then lives until the client goes or the server stops.
        await response.StartLinesAsync(writeDeadline).ConfigureAwait(false);
        foreach (var line in backlog)
        {
            await response.WriteLineAsync(w => ControlJson.WriteLogLine(w, line), writeDeadline).ConfigureAwait(false);
        }

        if (!follow)
        {
            return;
        }

        try
        {
            await foreach (var line in control.FollowLogs(services, stopping).ConfigureAwait(false))
            {
                await response.WriteLineAsync(w => ControlJson.WriteLogLine(w, line), stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The server stops: the stream ends with the connection.
        }
    }

    private static void Require(ControlRequest request, string method)
    {
        if (request.Method != method)
        {
            throw new ControlError(405, "method_not_allowed", $"{request.Path} takes {method}, not {request.Method}");
        }
    }

    private static OperatorAction? Action(string verb) => verb switch
    {
        "start" => OperatorAction.Start,
        "stop" => OperatorAction.Stop,
        "restart" => OperatorAction.Restart,
        "scale" => OperatorAction.Scale,
        _ => null,
    };

    private static ControlError UnknownService(string name) =>
        ControlError.NotFound($"no service named '{name}': GET /api/status lists the services");

    /// <summary>The property <paramref name="name"/> of the request's JSON object body, or null when the body is empty or lacks it.</summary>
    private static JsonElement? ReadBody(ControlRequest request, string name, JsonValueKind kind)
    {
        if (request.Body.IsEmpty)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(request.Body, new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw ControlError.BadRequest("the body must be a JSON object");
            }

            if (!document.RootElement.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            var matches = kind == JsonValueKind.True ? value.ValueKind is JsonValueKind.True or JsonValueKind.False : value.ValueKind == kind;
            if (!matches)
            {
                throw ControlError.BadRequest($"'{name}' must be {(kind == JsonValueKind.True ? "true or false" : "a number")}, not {value.GetRawText()}");
            }

            return value.Clone();
        }
        catch (JsonException ex)
        {
            throw ControlError.BadRequest("the body is not valid JSON: " + ex.Message);
        }
    }

    /// <summary>The path's segments, each percent-decoded (a service name may be escaped).</summary>
    private static string[] Segments(string path) =>
        [.. path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString)];
}
