namespace Tether.Watch.Tests;

/// <summary>
/// The watcher's readers against seeded mutations of real input: the audit log (verify, and the writer's open, which
/// reads the file to repair a torn row) and the VLP frame. None may crash (anything but the documented typed errors),
/// hang, or silently lose a row: every audit row whose line ends before the first changed byte is still counted by
/// verify. <c>TETHER_FUZZ_ITERATIONS</c> runs longer.
/// </summary>
public sealed class FuzzSpecs : IDisposable
{
    private const int BaseSeed = 44_000;

    private readonly AuditTempDirectory _temp = new();
    private readonly FakeTimeProvider _clock = VirtualClock.Create();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Mutated_audit_logs_never_crash_hang_or_silently_lose_a_row_before_the_damage()
    {
        var template = _temp.Child("template.log");
        using (var log = AuditLog.Open(template, new AuditOptions { TimeProvider = _clock }))
        {
            log.Boot("1.2.3", "stall=30s recovery=on");
            log.Spawn(7, 4242, 123456, "/usr/local/bin/restart-agent", 3);
            log.Complete(7, 4242, new Outcome.Exited(2), TimeSpan.FromMilliseconds(1750), new AuditOutput(12, false), new AuditOutput(70000, true));
            log.Complete(8, 4243, new Outcome.Signalled(Signal.Kill), TimeSpan.FromSeconds(3), default, default);
            log.Refused(4242, "debounced", "within 5m of the last recovery \"quoted\" é");
            log.Refused(4243, "agent_gone");
        }

        var original = File.ReadAllBytes(template);
        var lineEnds = Enumerable.Range(0, original.Length).Where(i => original[i] == (byte)'\n').ToList();
        var path = _temp.Child("audit.log");

        var iterations = SeededMutator.Iterations(ciDefault: 400);
        for (var i = 0; i < iterations; i++)
        {
            var seed = BaseSeed + i;
            var bytes = SeededMutator.Mutate(original, seed, out var firstChanged);

            // Line 0 is the header; rows follow.
            var keptRows = lineEnds.Skip(1).Count(end => end < firstChanged);
            File.WriteAllBytes(path, bytes);

            AuditVerification? verification = null;
            var error = SeededMutator.Read(seed, () => verification = AuditVerifier.Verify(path));
            Assert.True(error is null, $"seed {seed}: verify threw {error?.GetType().Name}: {error?.Message}\n{error?.StackTrace}");
            _ = verification!.ToString();
            Assert.True(verification.Rows >= keptRows, $"seed {seed}: verify counted {verification.Rows} rows, and {keptRows} were whole before the damage: {verification}");

            var opening = SeededMutator.Read(seed, () =>
            {
                using var log = AuditLog.Open(path, new AuditOptions { TimeProvider = _clock });
                log.Refused(1, "resumed");
            });
            Assert.True(opening is null or AuditLogException, $"seed {seed}: opening threw {opening?.GetType().Name}: {opening?.Message}\n{opening?.StackTrace}");
        }
    }

    [Fact]
    public void Mutated_frames_are_decoded_or_refused_with_a_typed_error_never_an_exception()
    {
        var frames = new[]
        {
            new Frame(BeatStatus.Ok, 4242, 1_700_000_000_000, 1, 0).ToBytes(),
            new Frame(BeatStatus.Degraded, uint.MaxValue, ulong.MaxValue, 7, uint.MaxValue).ToBytes(),
            Frame.Terminated(1, 2).ToBytes(),
        };

        var iterations = SeededMutator.Iterations(ciDefault: 2000);
        for (var i = 0; i < iterations; i++)
        {
            var seed = BaseSeed + i;
            var bytes = SeededMutator.Mutate(frames[i % frames.Length], seed, out _);

            var error = SeededMutator.Read(seed, () =>
            {
                var decoded = Frame.TryDecode(bytes, out _, out var why);
                try
                {
                    _ = Frame.Decode(bytes);
                    Assert.True(decoded, $"seed {seed}: Decode accepted what TryDecode refused");
                }
                catch (FrameDecodeException)
                {
                    Assert.False(decoded, $"seed {seed}: Decode refused what TryDecode accepted ({why})");
                }
            });
            if (error is Xunit.Sdk.XunitException)
            {
                throw error;
            }

            Assert.True(error is null, $"seed {seed}: decoding threw {error?.GetType().Name}: {error?.Message}");
        }
    }
}
