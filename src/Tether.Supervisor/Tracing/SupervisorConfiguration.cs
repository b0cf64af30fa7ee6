using Tether.Lab;

namespace Tether.Supervisor;

/// <summary>
/// A <see cref="ServiceSet"/> as a trace carries it (in the header and in <c>Configure</c> and <c>Reload</c> inputs):
/// every setting the engine decides by, in a fixed order. Settings that may hold secrets or only matter to the edges —
/// the command, the environment, the user, the directories, probe commands and URLs, limits, logs — are not written: a
/// service's <see cref="ServiceDefinition.Fingerprint"/> is written as a small number instead, the same number for the
/// same fingerprint throughout a recording, so a replayed reload restarts exactly the services the recorded one did.
/// </summary>
public static class SupervisorConfiguration
{
    private const byte Layout = 1;

    /// <summary>The header bytes of <paramref name="services"/> (numbered as the recording's first <c>Configure</c> numbers them).</summary>
    public static byte[] Encode(ServiceSet services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var encoder = new TraceEncoder(256);
        encoder.WriteByte(Layout);
        Write(services, encoder, new FingerprintNumbers());
        return encoder.Written.ToArray();
    }

    /// <summary>The services <see cref="Encode"/> wrote.</summary>
    /// <exception cref="TraceFormatException">The bytes are not supervisor settings this version knows.</exception>
    public static ServiceSet Decode(ReadOnlySpan<byte> bytes)
    {
        var decoder = new TraceDecoder(bytes);
        var layout = decoder.ReadByte();
        if (layout != Layout)
        {
            throw new TraceFormatException($"supervisor settings layout {layout} is not known (this tether reads layout {Layout})");
        }

        return Read(ref decoder);
    }

    /// <summary>Writes the services without the layout byte (inside an input).</summary>
    internal static void Write(ServiceSet services, TraceEncoder encoder, FingerprintNumbers fingerprints)
    {
        encoder.WriteVarUInt((ulong)services.Services.Count);
        foreach (var service in services.Services)
        {
            encoder.WriteString(service.Name);
            encoder.WriteVarUInt((ulong)fingerprints.Of(service.Fingerprint));
            encoder.WriteVarUInt((ulong)service.Replicas);
            encoder.WriteByte((byte)service.Restart);
            encoder.WriteVarUInt((ulong)service.OkExitCodes.Count);
            foreach (var code in service.OkExitCodes)
            {
                encoder.WriteVarInt(code);
            }

            var backoff = service.Backoff;
            encoder.WriteVarInt(backoff.Initial.Ticks);
            encoder.WriteUInt64(BitConverter.DoubleToUInt64Bits(backoff.Factor));
            encoder.WriteVarInt(backoff.Max.Ticks);
            encoder.WriteUInt64(BitConverter.DoubleToUInt64Bits(backoff.Jitter));
            encoder.WriteVarInt(backoff.ResetAfter.Ticks);
            var limit = service.StartLimit;
            encoder.WriteVarInt(limit.Burst);
            encoder.WriteVarInt(limit.Interval.Ticks);
            encoder.WriteVarInt(limit.RetryAfter is { } retry ? retry.Ticks + 1 : 0);
            encoder.WriteByte((byte)service.Stop.Signal.Number);
            encoder.WriteVarInt(service.Stop.Grace.Ticks);
            encoder.WriteVarUInt((ulong)service.DependsOn.Count);
            foreach (var dependency in service.DependsOn)
            {
                encoder.WriteString(dependency.Service);
                encoder.WriteByte((byte)dependency.Condition);
            }

            WriteProbe(service.Ready, encoder);
            WriteProbe(service.Live, encoder);
        }
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    internal static ServiceSet Read(ref TraceDecoder decoder)
    {
        var count = decoder.ReadCount();
        var services = new List<ServiceDefinition>(count);
        for (var i = 0; i < count; i++)
        {
            var name = decoder.ReadString();
            var fingerprint = decoder.ReadVarUInt();
            var replicas = (int)decoder.ReadVarUInt();
            var restart = (RestartPolicy)decoder.ReadByte();
            var okCount = decoder.ReadCount();
            var ok = new int[okCount];
            for (var c = 0; c < okCount; c++)
            {
                ok[c] = (int)decoder.ReadVarInt();
            }

            var backoff = new RestartBackoff(
                TimeSpan.FromTicks(decoder.ReadVarInt()), BitConverter.UInt64BitsToDouble(decoder.ReadUInt64()), TimeSpan.FromTicks(decoder.ReadVarInt()),
                BitConverter.UInt64BitsToDouble(decoder.ReadUInt64()), TimeSpan.FromTicks(decoder.ReadVarInt()));
            var burst = (int)decoder.ReadVarInt();
            var interval = TimeSpan.FromTicks(decoder.ReadVarInt());
            var retry = decoder.ReadVarInt();
            var limit = new StartLimit(burst, interval, retry == 0 ? null : TimeSpan.FromTicks(retry - 1));
            var signal = decoder.ReadByte();
            if (signal is < 1 or > 64)
            {
                throw new TraceFormatException($"service '{name}' has stop signal {signal}, which is not a signal");
            }

            var stop = new StopPolicy(new Signal(signal), TimeSpan.FromTicks(decoder.ReadVarInt()));
            var dependencyCount = decoder.ReadCount();
            var dependsOn = new Dependency[dependencyCount];
            for (var d = 0; d < dependencyCount; d++)
            {
                dependsOn[d] = new Dependency(decoder.ReadString(), (DependencyCondition)decoder.ReadByte());
            }

            services.Add(new ServiceDefinition
            {
                Name = name,

                // The command stands for the recorded fingerprint: equal exactly when the recorded settings were.
                Command = new ServiceCommand.Exec([$"(settings {fingerprint})"]),
                Replicas = replicas,
                Restart = restart,
                OkExitCodes = ok,
                Backoff = backoff,
                StartLimit = limit,
                Stop = stop,
                DependsOn = dependsOn,
                Ready = ReadProbe(ref decoder),
                Live = ReadProbe(ref decoder),
            });
        }

        return new ServiceSet("/", services);
    }

    private static void WriteProbe(ProbeDefinition? probe, TraceEncoder encoder)
    {
        if (probe is null)
        {
            encoder.WriteByte(0);
            return;
        }

        encoder.WriteByte((byte)(probe.Kind + 1));
        encoder.WriteVarInt(probe.Period.Ticks);
        encoder.WriteVarInt(probe.Timeout.Ticks);
        encoder.WriteVarInt(probe.InitialDelay.Ticks);
        encoder.WriteVarInt(probe.SuccessThreshold);
        encoder.WriteVarInt(probe.FailureThreshold);
    }

    private static ProbeDefinition? ReadProbe(ref TraceDecoder decoder)
    {
        var kind = decoder.ReadByte();
        if (kind == 0)
        {
            return null;
        }

        if (kind > (byte)ProbeKind.Heartbeat + 1)
        {
            throw new TraceFormatException($"probe kind {kind - 1} is not known");
        }

        return new ProbeDefinition
        {
            Kind = (ProbeKind)(kind - 1),
            Period = TimeSpan.FromTicks(decoder.ReadVarInt()),
            Timeout = TimeSpan.FromTicks(decoder.ReadVarInt()),
            InitialDelay = TimeSpan.FromTicks(decoder.ReadVarInt()),
            SuccessThreshold = (int)decoder.ReadVarInt(),
            FailureThreshold = (int)decoder.ReadVarInt(),
        };
    }
}
