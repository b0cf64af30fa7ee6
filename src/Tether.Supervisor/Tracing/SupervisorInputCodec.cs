using Tether.Lab;

namespace Tether.Supervisor;

/// <summary>
/// The supervisor engine's inputs in a trace (docs/formats/trace.md, "supervisor inputs"). Each input is a tag byte,
/// the time since the previous input (signed: a clock may run back), then its fields: a service is a small number once
/// the file has named it, a run id is a delta against the instance's last run, a probe id a delta against the last
/// probe, and a probe's detail or a start failure's reason a small number once the file has written that text. A tick
/// costs 2 to 5 bytes, a probe verdict 7 to 10. Texts are written through <see cref="RedactionPolicy.Default"/>, and a
/// configuration without the settings that may hold secrets (<see cref="SupervisorConfiguration"/>). Encoding
/// allocates nothing once the tables are warm.
/// </summary>
public sealed class SupervisorInputCodec : ITraceCodec<SupervisorInput>
{
    /// <summary>The most distinct texts (probe details, start failures) a file numbers; later ones are written whole.</summary>
    public const int MaxTexts = 1024;

    private const byte KindConfigure = 0;
    private const byte KindReload = 1;
    private const byte KindStarted = 2;
    private const byte KindStartFailed = 3;
    private const byte KindExited = 4;
    private const byte KindProbe = 5;
    private const byte KindTick = 6;
    private const byte KindOperator = 7;
    private const byte KindShutdown = 8;

    // Flags in the tag's high bits.
    private const byte Passed = 1 << 4;
    private const byte Liveness = 1 << 5;
    private const byte Observed = 1 << 6;
    private const byte Force = 1 << 4;
    private const byte HasCode = 1 << 4;
    private const byte HasSignal = 1 << 5;
    private const byte OutOfMemory = 1 << 6;

    private readonly FingerprintNumbers _fingerprints = new();
    private readonly Dictionary<string, int> _serviceNumbers = new(StringComparer.Ordinal);
    private readonly List<string> _services = [];
    private readonly Dictionary<string, int> _textNumbers = new(StringComparer.Ordinal);
    private readonly List<string> _texts = [];
    private readonly Dictionary<(int Service, int Index), long> _lastRuns = [];
    private long _lastAt;
    private long _lastProbeId;

    /// <inheritdoc/>
    public void Reset()
    {
        // The fingerprint numbers stay: they name settings for the whole recording, not for one file.
        _serviceNumbers.Clear();
        _services.Clear();
        _textNumbers.Clear();
        _texts.Clear();
        _lastRuns.Clear();
        _lastAt = 0;
        _lastProbeId = 0;
    }

    /// <inheritdoc/>
    public TimeSpan TimeOf(SupervisorInput input) => input?.At ?? throw new ArgumentNullException(nameof(input));

    /// <inheritdoc/>
    public void Encode(SupervisorInput input, TraceEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(encoder);
        var at = input.At.Ticks;
        var delta = unchecked(at - _lastAt);
        _lastAt = at;
        switch (input)
        {
            case SupervisorInput.Tick:
                encoder.WriteByte(KindTick);
                encoder.WriteVarInt(delta);
                break;
            case SupervisorInput.ProbeCompleted probe:
                encoder.WriteByte((byte)(KindProbe | (probe.Passed ? Passed : 0) | (probe.Role == ProbeRole.Liveness ? Liveness : 0) | (probe.ProbeId == 0 ? Observed : 0)));
                encoder.WriteVarInt(delta);
                WriteRun(probe.Instance, probe.RunId, encoder);
                if (probe.ProbeId != 0)
                {
                    encoder.WriteVarInt(probe.ProbeId - _lastProbeId);
                    _lastProbeId = probe.ProbeId;
                }

                WriteText(probe.Detail, encoder);
                break;
            case SupervisorInput.Started started:
                encoder.WriteByte(KindStarted);
                encoder.WriteVarInt(delta);
                WriteRun(started.Instance, started.RunId, encoder);
                encoder.WriteVarInt(started.Pid);
                break;
            case SupervisorInput.Exited exited:
                var exit = exited.Exit;
                encoder.WriteByte((byte)(KindExited | (exit.ExitCode is null ? 0 : HasCode) | (exit.Signal is null ? 0 : HasSignal) | (exit.OutOfMemory ? OutOfMemory : 0)));
                encoder.WriteVarInt(delta);
                WriteRun(exited.Instance, exited.RunId, encoder);
                if (exit.ExitCode is { } code)
                {
                    encoder.WriteVarInt(code);
                }

                if (exit.Signal is { } signal)
                {
                    encoder.WriteByte((byte)signal.Number);
                }

                break;
            case SupervisorInput.StartFailed failed:
                encoder.WriteByte(KindStartFailed);
                encoder.WriteVarInt(delta);
                WriteRun(failed.Instance, failed.RunId, encoder);
                WriteText(failed.Reason, encoder);
                break;
            case SupervisorInput.Operator command:
                encoder.WriteByte(KindOperator);
                encoder.WriteVarInt(delta);
                encoder.WriteByte((byte)command.Action);
                WriteService(command.Service, encoder);
                encoder.WriteVarInt(command.Replicas);
                break;
            case SupervisorInput.Shutdown shutdown:
                encoder.WriteByte((byte)(KindShutdown | (shutdown.Force ? Force : 0)));
                encoder.WriteVarInt(delta);
                break;
            case SupervisorInput.Configure configure:
                encoder.WriteByte(KindConfigure);
                encoder.WriteVarInt(delta);
                encoder.WriteUInt64(configure.Seed);
                SupervisorConfiguration.Write(configure.Services, encoder, _fingerprints);
                break;
            case SupervisorInput.Reload reload:
                encoder.WriteByte(KindReload);
                encoder.WriteVarInt(delta);
                SupervisorConfiguration.Write(reload.Services, encoder, _fingerprints);
                break;
            default:
                throw new ArgumentException($"A supervisor trace cannot record a {input.GetType().Name}.", nameof(input));
        }
    }

    /// <inheritdoc/>
    public SupervisorInput Decode(ref TraceDecoder decoder)
    {
        var tag = decoder.ReadByte();
        _lastAt = unchecked(_lastAt + decoder.ReadVarInt());
        var at = TimeSpan.FromTicks(_lastAt);
        switch (tag & 0x0F)
        {
            case KindTick:
                return new SupervisorInput.Tick(at);
            case KindProbe:
            {
                var (instance, run) = ReadRun(ref decoder);
                var observed = (tag & Observed) != 0;
                if (!observed)
                {
                    _lastProbeId += decoder.ReadVarInt();
                }

                var role = (tag & Liveness) != 0 ? ProbeRole.Liveness : ProbeRole.Readiness;
                return new SupervisorInput.ProbeCompleted(at, instance, run, role, observed ? 0 : _lastProbeId, (tag & Passed) != 0, ReadText(ref decoder));
            }

            case KindStarted:
            {
                var (instance, run) = ReadRun(ref decoder);
                return new SupervisorInput.Started(at, instance, run, (int)decoder.ReadVarInt());
            }

            case KindExited:
            {
                var (instance, run) = ReadRun(ref decoder);
                int? code = (tag & HasCode) != 0 ? (int)decoder.ReadVarInt() : null;
                Signal? signal = (tag & HasSignal) != 0 ? ReadSignal(ref decoder) : null;
                return new SupervisorInput.Exited(at, instance, run, new ExitInfo(code, signal, (tag & OutOfMemory) != 0));
            }

            case KindStartFailed:
            {
                var (instance, run) = ReadRun(ref decoder);
                return new SupervisorInput.StartFailed(at, instance, run, ReadText(ref decoder));
            }

            case KindOperator:
            {
                var action = decoder.ReadByte();
                if (action > (byte)OperatorAction.Scale)
                {
                    throw new TraceFormatException($"operator action {action} is not known");
                }

                return new SupervisorInput.Operator(at, (OperatorAction)action, ReadService(ref decoder), (int)decoder.ReadVarInt());
            }

            case KindShutdown:
                return new SupervisorInput.Shutdown(at, (tag & Force) != 0);
            case KindConfigure:
            {
                var seed = decoder.ReadUInt64();
                return new SupervisorInput.Configure(at, SupervisorConfiguration.Read(ref decoder), seed);
            }

            case KindReload:
                return new SupervisorInput.Reload(at, SupervisorConfiguration.Read(ref decoder));
            default:
                throw new TraceFormatException($"supervisor input kind {tag & 0x0F} is not known");
        }
    }

    private void WriteService(string name, TraceEncoder encoder)
    {
        if (_serviceNumbers.TryGetValue(name, out var number))
        {
            encoder.WriteVarUInt((ulong)number + 1);
            return;
        }

        encoder.WriteVarUInt(0);
        encoder.WriteString(name);
        _serviceNumbers.Add(name, _services.Count);
        _services.Add(name);
    }

    private string ReadService(ref TraceDecoder decoder)
    {
        var number = decoder.ReadVarUInt();
        if (number == 0)
        {
            var name = decoder.ReadString();
            _services.Add(name);
            return name;
        }

        return number <= (ulong)_services.Count
            ? _services[(int)number - 1]
            : throw new TraceFormatException($"service number {number} was never named in this file");
    }

    private void WriteRun(InstanceId instance, long runId, TraceEncoder encoder)
    {
        WriteService(instance.Service, encoder);
        encoder.WriteVarUInt((ulong)instance.Index);
        var key = (_serviceNumbers[instance.Service], instance.Index);
        _lastRuns.TryGetValue(key, out var last);
        encoder.WriteVarInt(runId - last);
        _lastRuns[key] = runId;
    }

    private (InstanceId Instance, long RunId) ReadRun(ref TraceDecoder decoder)
    {
        var service = ReadService(ref decoder);
        var index = (int)decoder.ReadVarUInt();
        var key = (_services.IndexOf(service), index);
        _lastRuns.TryGetValue(key, out var last);
        var run = last + decoder.ReadVarInt();
        _lastRuns[key] = run;
        return (new InstanceId(service, index), run);
    }

    private void WriteText(string text, TraceEncoder encoder)
    {
        if (_textNumbers.TryGetValue(text, out var number))
        {
            encoder.WriteVarUInt((ulong)number + 1);
            return;
        }

        encoder.WriteVarUInt(0);
        encoder.WriteString(RedactionPolicy.Default.Redact(text));
        if (_texts.Count < MaxTexts)
        {
            _textNumbers.Add(text, _texts.Count);
            _texts.Add(text);
        }
    }

    private string ReadText(ref TraceDecoder decoder)
    {
        var number = decoder.ReadVarUInt();
        if (number == 0)
        {
            var text = decoder.ReadString();
            if (_texts.Count < MaxTexts)
            {
                _texts.Add(text);
            }

            return text;
        }

        return number <= (ulong)_texts.Count
            ? _texts[(int)number - 1]
            : throw new TraceFormatException($"text number {number} was never written in this file");
    }

    private static Signal ReadSignal(ref TraceDecoder decoder)
    {
        var number = decoder.ReadByte();
        return number is >= 1 and <= 64 ? new Signal(number) : throw new TraceFormatException($"signal {number} is not a signal");
    }
}
