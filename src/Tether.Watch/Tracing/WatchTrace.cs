using System.Globalization;
using System.Text.Json;
using Tether.Lab;

namespace Tether.Watch;

/// <summary>
/// Traces of the watch engine: kind <c>watch</c>, its input codec (<see cref="WatchInputCodec"/>), its settings in the
/// header (<see cref="WatchConfiguration"/>), the hash of its events (<see cref="WatchDecisions"/>), and explanations of
/// why a pid was recovered or refused (<see cref="WatchExplainer"/>).
/// </summary>
public sealed class WatchTrace : EngineTrace<WatchInput>
{
    /// <summary>The engine kind in trace headers.</summary>
    public const string EngineKind = "watch";

    /// <summary>The version of the engine's decisions and of the codec; bump it when either changes.</summary>
    public const int EngineVersion = 1;

    /// <summary>Traces of the engine as shipped.</summary>
    public WatchTrace()
    {
    }

    internal WatchTrace(PlantedBug bug) => Bug = bug;

    /// <inheritdoc/>
    public override string Kind => EngineKind;

    /// <inheritdoc/>
    public override int Version => EngineVersion;

    internal PlantedBug Bug { get; }

    /// <summary>The header of a recording of an engine with <paramref name="options"/>.</summary>
    public static TraceHeader Header(WatchOptions options, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new TraceHeader(EngineKind, EngineVersion, seed, WatchConfiguration.Encode(options));
    }

    /// <inheritdoc/>
    public override ITraceCodec<WatchInput> CreateCodec() => new WatchInputCodec();

    /// <inheritdoc/>
    public override IReplayEngine<WatchInput> CreateEngine(TraceHeader header) => CreateWatchEngine(header);

    /// <inheritdoc/>
    public override string Describe(WatchInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var at = $"t={Ms(input.At)}ms";
        return input switch
        {
            WatchInput.Datagram { Bytes.Length: Frame.Size } d when Frame.TryDecode(d.Bytes.Span, out var f, out _) =>
                $"{at} beat pid={f.Pid} nonce={f.Nonce} status={SnakeCaseNames.Of(f.Status)} payload={f.Payload} {Facts(d.Facts)}",
            WatchInput.Datagram d => $"{at} datagram bytes={d.Bytes.Length} (not a valid frame) {Facts(d.Facts)}",
            WatchInput.Tick => $"{at} tick",
            WatchInput.FreshnessChecked c => $"{at} freshness_checked recovery_id={c.RecoveryId} start_time={(c.StartTime is { } s ? s.ToString(CultureInfo.InvariantCulture) : "gone")}",
            WatchInput.RecoveryEnded e => $"{at} recovery_ended recovery_id={e.RecoveryId} result={e.Result.Kind} duration_ms={Ms(e.Result.Duration)}",
            _ => $"{at} {input.GetType().Name}",
        };
    }

    /// <inheritdoc/>
    public override void WriteJson(Utf8JsonWriter writer, WatchInput input)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(input);
        writer.WriteNumber("at_ms", input.At.TotalMilliseconds);
        switch (input)
        {
            case WatchInput.Datagram d:
                if (Frame.TryDecode(d.Bytes.Span, out var f, out _))
                {
                    writer.WriteString("input", "beat");
                    writer.WriteNumber("pid", f.Pid);
                    writer.WriteNumber("nonce", f.Nonce);
                    writer.WriteString("status", SnakeCaseNames.Of(f.Status));
                    writer.WriteNumber("payload", f.Payload);
                    writer.WriteNumber("timestamp_ns", f.Timestamp);
                }
                else
                {
                    writer.WriteString("input", "datagram");
                    writer.WriteBase64String("bytes", d.Bytes.Span);
                }

                writer.WriteString("origin", SnakeCaseNames.Of(d.Facts.Origin));
                WriteOptional(writer, "sender_pid", d.Facts.SenderPid);
                WriteOptional(writer, "sender_uid", d.Facts.SenderUid);
                if (d.Facts.SameNamespace is { } same)
                {
                    writer.WriteBoolean("same_namespace", same);
                }

                if (d.Facts.StartTime is { } start)
                {
                    writer.WriteNumber("start_time", start);
                }

                if (d.Facts.Peer is { } peer)
                {
                    writer.WriteString("peer", peer);
                }

                break;
            case WatchInput.Tick:
                writer.WriteString("input", "tick");
                break;
            case WatchInput.FreshnessChecked c:
                writer.WriteString("input", "freshness_checked");
                writer.WriteNumber("recovery_id", c.RecoveryId);
                if (c.StartTime is { } s)
                {
                    writer.WriteNumber("start_time", s);
                }
                else
                {
                    writer.WriteNull("start_time");
                }

                break;
            case WatchInput.RecoveryEnded e:
                writer.WriteString("input", "recovery_ended");
                writer.WriteNumber("recovery_id", e.RecoveryId);
                writer.WriteString("result", e.Result.Kind);
                writer.WriteNumber("duration_ms", (long)e.Result.Duration.TotalMilliseconds);
                break;
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyList<string> Explain(IReadOnlyList<TraceFile> files, string subject)
    {
        if (!uint.TryParse(subject, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            throw new ArgumentException($"'{subject}' is not a pid: give a whole number, such as 1234.", nameof(subject));
        }

        return WatchExplainer.Explain(this, files, pid);
    }

    internal WatchReplayEngine CreateWatchEngine(TraceHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return new WatchReplayEngine(new WatchEngine(WatchConfiguration.Decode(header.Configuration.Span)) { PlantedBug = Bug });
    }

    internal static string Ms(TimeSpan time) => time.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Facts(OriginFacts facts) =>
        $"origin={SnakeCaseNames.Of(facts.Origin)}{(facts.SenderPid is { } p ? $" sender_pid={p}" : "")}{(facts.StartTime is { } s ? $" start_time={s}" : "")}{(facts.SameNamespace == false ? " other_namespace" : "")}{(facts.Peer is { } peer ? $" peer={peer}" : "")}";

    private static void WriteOptional(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }
}
