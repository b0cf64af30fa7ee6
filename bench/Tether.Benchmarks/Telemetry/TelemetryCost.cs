using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Tether.Benchmarks.Journal;
using Tether.Journaling;
using Tether.Telemetry;
using TetherJournal = Tether.Journaling.Journal;

namespace Tether.Benchmarks.Telemetry;

/// <summary>
/// <c>telemetry-cost [--rounds N] [--block N]</c>: what Tether's spans and metrics cost a spawn (<c>/bin/true</c>
/// through <see cref="ProcessRunner"/>) and a durable journal append, with nobody listening and with a listener that
/// records every span and measurement (as an OpenTelemetry SDK would subscribe). Blocks of each case alternate, so a
/// background load that comes and goes touches both alike; each case reports the median time per operation and the
/// bytes allocated per operation (whole process, so the pumps' threads count too).
/// </summary>
internal static class TelemetryCost
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = Option(args, "--rounds", 20);
        var block = Option(args, "--block", 25);
        var command = new Command("/bin/true").ToPipeline();
        var directory = JournalBench.NewScratchDirectory("telemetry-cost");
        var journal = await TetherJournal.OpenAsync(directory);
        try
        {
            var entry = new JournalEntry("bench.telemetry", "job-1");
            var spawn = new Samples();
            var append = new Samples();
            for (var round = -1; round < rounds; round++)
            {
                // Round -1 warms both paths up (JIT, pools, listener registration) and is not counted.
                foreach (var listening in round % 2 == 0 ? new[] { false, true } : [true, false])
                {
                    using var listener = listening ? Listener.Start() : null;
                    var spawned = await MeasureAsync(block, () => ProcessRunner.Default.OutputBytesAsync(command));
                    var appended = await MeasureAsync(block, () => journal.AppendAsync(entry));
                    if (round >= 0)
                    {
                        spawn.Add(listening, spawned);
                        append.Add(listening, appended);
                    }
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"telemetry-cost: {rounds} rounds of {block} operations per case, cases alternating; RunTelemetry.Observed now = {RunTelemetry.Observed}"));
            Console.WriteLine("                                       median/op      alloc/op");
            spawn.Print("spawn /bin/true");
            append.Print("journal append (Synced)");
            return 0;
        }
        finally
        {
            await journal.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<(double Microseconds, double Bytes)> MeasureAsync<T>(int count, Func<Task<T>> operation)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            await operation();
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        return (elapsed.TotalMicroseconds / count, (double)bytes / count);
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>Per-block figures of one operation, with and without a listener.</summary>
    private sealed class Samples
    {
        private readonly List<(double Microseconds, double Bytes)> _quiet = [];
        private readonly List<(double Microseconds, double Bytes)> _listened = [];

        public void Add(bool listening, (double Microseconds, double Bytes) sample) => (listening ? _listened : _quiet).Add(sample);

        public void Print(string name)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-28} no listener {Median(_quiet, s => s.Microseconds),9:F1} µs {Median(_quiet, s => s.Bytes),9:F0} B"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"",-28} listener    {Median(_listened, s => s.Microseconds),9:F1} µs {Median(_listened, s => s.Bytes),9:F0} B"));
        }

        private static double Median(List<(double Microseconds, double Bytes)> samples, Func<(double Microseconds, double Bytes), double> pick)
        {
            var values = samples.Select(pick).Order().ToArray();
            return values.Length == 0 ? double.NaN : values[values.Length / 2];
        }
    }

    /// <summary>An <see cref="ActivityListener"/> recording every span, and a <see cref="MeterListener"/> every measurement, of Tether's sources.</summary>
    private sealed class Listener : IDisposable
    {
        private readonly ActivityListener _spans;
        private readonly MeterListener _meters = new();
        private long _stopped;
        private long _measurements;

        private Listener()
        {
            _spans = new ActivityListener
            {
                ShouldListenTo = source => source.Name is RunTelemetry.Name or JournalTelemetry.Name,
                Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _ => Interlocked.Increment(ref _stopped),
            };
            ActivitySource.AddActivityListener(_spans);
            _meters.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name is RunTelemetry.Name or JournalTelemetry.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _meters.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref _measurements));
            _meters.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref _measurements));
            _meters.Start();
        }

        public static Listener Start() => new();

        public void Dispose()
        {
            _spans.Dispose();
            _meters.Dispose();
        }
    }
}
