using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Tether.Watch;

/// <summary>
/// How a <see cref="WatchEvent"/> is written for people and programs: its snake_case kind (<c>stall_detected</c>) and
/// its fields as <c>key=value</c> pairs, in three shapes — a human line (<see cref="Format"/>, used by
/// <c>tether watch</c>), a JSON object (<see cref="WriteJson"/>, used by <c>--json</c>) and a TSV line (the event export
/// file, <see cref="EventExportFile"/>). All three carry the same keys.
/// </summary>
/// <remarks>
/// <para>Fields by kind: <c>beat_accepted</c> pid, status, nonce, payload, origin, new_agent; <c>beat_dropped</c> pid,
/// reason; <c>decode_failed</c> error, expected, actual, origin, peer (UDP only); <c>authentication_failed</c> and
/// <c>namespace_conflict</c> frame_pid, sender_pid; <c>origin_conflict</c> pid, known, offered; <c>agent_evicted</c>
/// pid, silent_ms; <c>pid_reused</c> and <c>agent_terminated</c> pid; <c>stall_detected</c> pid, silent_ms,
/// last_status, origin; <c>recovery_refused</c> pid, reason; <c>freshness_check_requested</c> recovery_id, pid;
/// <c>recovery_started</c> recovery_id, pid, start_time (when known); <c>recovery_completed</c> recovery_id, pid, result
/// (exited, signalled, timed_out, failed), exit_code / signal / timeout and timeout_ms by result, failure (when it could
/// not start; at most 200 characters), duration_ms, stdout_bytes, stderr_bytes, truncated.</para>
/// <para>Enum values are snake_case (<c>kernel_attested</c>, <c>agent_rate_limited</c>); durations are whole
/// milliseconds. A field that is unknown (a UDP peer, a start time) is left out rather than written empty. Never
/// included: a recovery command's argv or output (the engine only ever has their sizes).</para>
/// </remarks>
public static class WatchEventFormat
{
    /// <summary>The longest <c>failure</c> text written; longer ones are cut and end with <c>…</c>.</summary>
    private const int MaxFailureLength = 200;

    /// <summary>The event's kind in snake_case: <c>beat_accepted</c>, <c>stall_detected</c>, …</summary>
    /// <exception cref="ArgumentNullException"><paramref name="watchEvent"/> is null.</exception>
    public static string Kind(WatchEvent watchEvent)
    {
        ArgumentNullException.ThrowIfNull(watchEvent);
        return watchEvent switch
        {
            WatchEvent.BeatAccepted => "beat_accepted",
            WatchEvent.BeatDropped => "beat_dropped",
            WatchEvent.DecodeFailed => "decode_failed",
            WatchEvent.AuthenticationFailed => "authentication_failed",
            WatchEvent.OriginConflict => "origin_conflict",
            WatchEvent.NamespaceConflict => "namespace_conflict",
            WatchEvent.AgentEvicted => "agent_evicted",
            WatchEvent.PidReused => "pid_reused",
            WatchEvent.AgentTerminated => "agent_terminated",
            WatchEvent.StallDetected => "stall_detected",
            WatchEvent.RecoveryRefused => "recovery_refused",
            WatchEvent.FreshnessCheckRequested => "freshness_check_requested",
            WatchEvent.RecoveryStarted => "recovery_started",
            WatchEvent.RecoveryCompleted => "recovery_completed",
            _ => SnakeCaseNames.Convert(watchEvent.GetType().Name),
        };
    }

    /// <summary>
    /// The event as one human-readable line without any time: its kind, then <c>key=value</c> pairs separated by
    /// spaces, e.g. <c>stall_detected pid=1000 silent_ms=5000 last_status=ok origin=kernel_attested</c>. A value with a
    /// space, a quote or an equals sign is double-quoted (logfmt style); control characters are always escaped
    /// (<c>\t</c>, <c>\n</c>, <c>\r</c>, <c>\xNN</c>, <c>\uNNNN</c>), so the result is exactly one line.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="watchEvent"/> is null.</exception>
    public static string Format(WatchEvent watchEvent)
    {
        var builder = new StringBuilder(Kind(watchEvent), 96);
        var sink = new TextSink(builder, separator: ' ', logfmt: true);
        Describe(watchEvent, ref sink);
        return builder.ToString();
    }

    /// <summary>
    /// Writes the event as one JSON object: <c>{"time":"2030-01-01T00:00:05.000Z","at_ms":5000,"event":"stall_detected","pid":1000,…}</c>.
    /// Numbers and booleans are JSON numbers and booleans; <c>time</c> (UTC, ISO-8601, milliseconds) is left out when
    /// <paramref name="time"/> is null; <c>at_ms</c> is the engine time <see cref="WatchEvent.At"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> or <paramref name="watchEvent"/> is null.</exception>
    public static void WriteJson(Utf8JsonWriter writer, WatchEvent watchEvent, DateTimeOffset? time = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var kind = Kind(watchEvent);
        writer.WriteStartObject();
        if (time is { } utc)
        {
            writer.WriteString("time", FormatTime(utc));
        }

        writer.WriteNumber("at_ms", Milliseconds(watchEvent.At));
        writer.WriteString("event", kind);
        var sink = new JsonSink(writer);
        Describe(watchEvent, ref sink);
        writer.WriteEndObject();
    }

    /// <summary>
    /// Appends the export file's line for the event: UTC time, engine time in milliseconds, kind, then the fields, all
    /// separated by tabs, ending with a newline. Values are escaped so that a line never holds a raw tab, newline or
    /// other control character.
    /// </summary>
    internal static void AppendTsvLine(StringBuilder builder, WatchEvent watchEvent, DateTimeOffset time)
    {
        var kind = Kind(watchEvent);
        builder.Append(FormatTime(time)).Append('\t')
            .Append(Milliseconds(watchEvent.At).ToString(CultureInfo.InvariantCulture)).Append('\t')
            .Append(kind);
        var sink = new TextSink(builder, separator: '\t', logfmt: false);
        Describe(watchEvent, ref sink);
        builder.Append('\n');
    }

    /// <summary>UTC, ISO-8601 with milliseconds: <c>2030-01-01T00:00:05.000Z</c>.</summary>
    internal static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Appends <paramref name="value"/> escaped: backslash, tab, newline, carriage return and every control, format or separator character become escapes.</summary>
    internal static void AppendEscaped(StringBuilder builder, string value, bool escapeQuote = false)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                builder.Append(c).Append(value[++i]); // a whole pair (an emoji, say) is kept as it is
                continue;
            }

            switch (c)
            {
                case '\\':
                    builder.Append(@"\\");
                    break;
                case '\t':
                    builder.Append(@"\t");
                    break;
                case '\n':
                    builder.Append(@"\n");
                    break;
                case '\r':
                    builder.Append(@"\r");
                    break;
                case '"' when escapeQuote:
                    builder.Append("\\\"");
                    break;
                default:
                    if (NeedsEscape(c))
                    {
                        builder.Append(c <= '\xFF' ? @"\x" : @"\u").Append(((int)c).ToString(c <= '\xFF' ? "x2" : "x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }
    }

    private static long Milliseconds(TimeSpan span) => span.Ticks / TimeSpan.TicksPerMillisecond;

    // Control characters (C0, DEL, C1), invisible format characters (bidi overrides, zero-width) and line/paragraph
    // separators: any of them could split a line or make a terminal show something other than what was written.
    // Lone surrogates (a pair never gets here) are escaped too, so the text stays valid UTF-8.
    private static bool NeedsEscape(char c) => char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate;

    private static string Cap(string text) => text.Length <= MaxFailureLength ? text : string.Concat(text.AsSpan(0, MaxFailureLength - 1), "…");

    private static void Describe<TSink>(WatchEvent watchEvent, ref TSink sink)
        where TSink : struct, IFieldSink
    {
        switch (watchEvent)
        {
            case WatchEvent.BeatAccepted e:
                sink.Unsigned("pid", e.Pid);
                sink.Text("status", SnakeCaseNames.Of(e.Status));
                sink.Unsigned("nonce", e.Nonce);
                sink.Unsigned("payload", e.Payload);
                sink.Text("origin", SnakeCaseNames.Of(e.Origin));
                sink.Flag("new_agent", e.NewAgent);
                break;
            case WatchEvent.BeatDropped e:
                sink.Unsigned("pid", e.Pid);
                sink.Text("reason", SnakeCaseNames.Of(e.Reason));
                break;
            case WatchEvent.DecodeFailed e:
                sink.Text("error", SnakeCaseNames.Of(e.Error.Kind));
                sink.Unsigned("expected", e.Error.Expected);
                sink.Unsigned("actual", e.Error.Actual);
                sink.Text("origin", SnakeCaseNames.Of(e.Origin));
                if (e.Peer is { } peer)
                {
                    sink.Text("peer", peer);
                }

                break;
            case WatchEvent.AuthenticationFailed e:
                sink.Unsigned("frame_pid", e.FramePid);
                sink.Number("sender_pid", e.SenderPid);
                break;
            case WatchEvent.OriginConflict e:
                sink.Unsigned("pid", e.Pid);
                sink.Text("known", SnakeCaseNames.Of(e.Known));
                sink.Text("offered", SnakeCaseNames.Of(e.Offered));
                break;
            case WatchEvent.NamespaceConflict e:
                sink.Unsigned("frame_pid", e.FramePid);
                sink.Number("sender_pid", e.SenderPid);
                break;
            case WatchEvent.AgentEvicted e:
                sink.Unsigned("pid", e.Pid);
                sink.Number("silent_ms", Milliseconds(e.SilentFor));
                break;
            case WatchEvent.PidReused e:
                sink.Unsigned("pid", e.Pid);
                break;
            case WatchEvent.AgentTerminated e:
                sink.Unsigned("pid", e.Pid);
                break;
            case WatchEvent.StallDetected e:
                sink.Unsigned("pid", e.Pid);
                sink.Number("silent_ms", Milliseconds(e.SilentFor));
                sink.Text("last_status", SnakeCaseNames.Of(e.LastStatus));
                sink.Text("origin", SnakeCaseNames.Of(e.Origin));
                break;
            case WatchEvent.RecoveryRefused e:
                sink.Unsigned("pid", e.Pid);
                sink.Text("reason", SnakeCaseNames.Of(e.Reason));
                break;
            case WatchEvent.FreshnessCheckRequested e:
                sink.Number("recovery_id", e.RecoveryId);
                sink.Unsigned("pid", e.Pid);
                break;
            case WatchEvent.RecoveryStarted e:
                sink.Number("recovery_id", e.RecoveryId);
                sink.Unsigned("pid", e.Pid);
                if (e.StartTime is { } startTime)
                {
                    sink.Unsigned("start_time", startTime);
                }

                break;
            case WatchEvent.RecoveryCompleted e:
                sink.Number("recovery_id", e.RecoveryId);
                sink.Unsigned("pid", e.Pid);
                DescribeResult(e.Result, ref sink);
                break;
        }
    }

    private static void DescribeResult<TSink>(RecoveryResult result, ref TSink sink)
        where TSink : struct, IFieldSink
    {
        sink.Text("result", result.Kind);
        switch (result.Outcome)
        {
            case Outcome.Exited exited:
                sink.Number("exit_code", exited.Code);
                break;
            case Outcome.Signalled { Signal: { } signal }:
                sink.Text("signal", "SIG" + signal.Name);
                break;
            case Outcome.TimedOut timedOut:
                sink.Text("timeout", SnakeCaseNames.Of(timedOut.Kind));
                sink.Number("timeout_ms", Milliseconds(timedOut.After));
                break;
        }

        if (result.Failure is { } failure)
        {
            sink.Text("failure", Cap(failure));
        }

        sink.Number("duration_ms", Milliseconds(result.Duration));
        sink.Number("stdout_bytes", result.StdoutBytes);
        sink.Number("stderr_bytes", result.StderrBytes);
        sink.Flag("truncated", result.Truncated);
    }

    /// <summary>Receives an event's fields in order; one implementation per output shape, as structs so nothing boxes.</summary>
    private interface IFieldSink
    {
        void Number(string key, long value);

        void Unsigned(string key, ulong value);

        void Text(string key, string value);

        void Flag(string key, bool value);
    }

    private readonly struct TextSink(StringBuilder builder, char separator, bool logfmt) : IFieldSink
    {
        public void Number(string key, long value) => Key(key).Append(value.ToString(CultureInfo.InvariantCulture));

        public void Unsigned(string key, ulong value) => Key(key).Append(value.ToString(CultureInfo.InvariantCulture));

        public void Flag(string key, bool value) => Key(key).Append(value ? "true" : "false");

        public void Text(string key, string value)
        {
            Key(key);
            if (logfmt && (value.Length == 0 || value.AsSpan().IndexOfAny(" \"=") >= 0))
            {
                builder.Append('"');
                AppendEscaped(builder, value, escapeQuote: true);
                builder.Append('"');
            }
            else
            {
                AppendEscaped(builder, value);
            }
        }

        private StringBuilder Key(string key) => builder.Append(separator).Append(key).Append('=');
    }

    private readonly struct JsonSink(Utf8JsonWriter writer) : IFieldSink
    {
        public void Number(string key, long value) => writer.WriteNumber(key, value);

        public void Unsigned(string key, ulong value) => writer.WriteNumber(key, value);

        public void Text(string key, string value) => writer.WriteString(key, value);

        public void Flag(string key, bool value) => writer.WriteBoolean(key, value);
    }
}
