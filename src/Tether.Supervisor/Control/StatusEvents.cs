using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tether.Supervisor;

/// <summary>
/// <c>GET /api/events</c>: server-sent events (<c>text/event-stream</c>) that push the status document to the page
/// whenever something a person would see changed — a state, a pid, a restart count, health, the last exit, a reason, lost
/// log lines — checked every <see cref="ControlServerOptions.EventPeriod"/>, so a change shows within a second without
/// a reload. Uptimes alone do not count as a change (the page counts them up itself). A silent stream sends a comment
/// every <see cref="ControlServerOptions.EventKeepAlive"/>, so proxies and browsers keep it open.
/// </summary>
internal sealed class StatusEvents(ISupervisorControl control, ControlServerOptions options)
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Streams until the client goes or the server stops.</summary>
    public async Task StreamAsync(ControlResponse response, CancellationToken writeDeadline, CancellationToken stopping)
    {
        await response.StartStreamAsync("text/event-stream; charset=utf-8", writeDeadline).ConfigureAwait(false);
        string? last = null;
        var quietSince = options.TimeProvider.GetTimestamp();
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var status = control.Status();
                var signature = Signature(status);
                if (signature != last)
                {
                    last = signature;
                    await response.WriteChunkAsync(Event(status), stopping).ConfigureAwait(false);
                    quietSince = options.TimeProvider.GetTimestamp();
                }
                else if (options.TimeProvider.GetElapsedTime(quietSince) >= options.EventKeepAlive)
                {
                    await response.WriteChunkAsync(": keep-alive\n\n"u8.ToArray(), stopping).ConfigureAwait(false);
                    quietSince = options.TimeProvider.GetTimestamp();
                }

                await Task.Delay(options.EventPeriod, options.TimeProvider, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The server stops: the stream ends with the connection.
        }
    }

    /// <summary>One <c>status</c> event: the status document on one <c>data:</c> line (the writer escapes line breaks).</summary>
    internal static ReadOnlyMemory<byte> Event(SupervisorStatus status)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        buffer.Write("event: status\ndata: "u8);
        using (var writer = new Utf8JsonWriter(buffer, JsonOptions))
        {
            ControlJson.WriteStatus(writer, status);
        }

        buffer.Write("\n\n"u8);
        return buffer.WrittenMemory;
    }

    /// <summary>What a person would notice in <paramref name="status"/>, without the clocks that tick by themselves.</summary>
    internal static string Signature(SupervisorStatus status)
    {
        var text = new StringBuilder(64 * (status.Instances.Count + 1));
        text.Append(status.ShuttingDown).Append('|');
        foreach (var (service, dropped) in status.DroppedLogLines.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(service).Append('=').Append(dropped).Append(',');
        }

        foreach (var i in status.Instances)
        {
            text.Append('\n').Append(i.Id).Append('|').Append(i.State).Append('|').Append(i.Pid).Append('|').Append(i.Restarts)
                .Append('|').Append(i.Health).Append('|').Append(i.LastExit).Append('|').Append(i.Reason).Append('|').Append(i.StartedAt);
        }

        return text.ToString();
    }
}
