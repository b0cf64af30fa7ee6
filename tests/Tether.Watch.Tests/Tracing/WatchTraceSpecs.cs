using Tether.Lab;
using Xunit.Abstractions;

namespace Tether.Watch.Tests.Tracing;

/// <summary>
/// Traces of the watch engine: what is written reads back as the same inputs, replays to the same decisions, stays
/// compact under a realistic load, survives a torn or damaged file up to the damage, rotates under a size cap, and
/// reports the first divergence with its context and a minimal prefix.
/// </summary>
public sealed class WatchTraceSpecs(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tether-trace-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void A_trace_reads_back_as_exactly_the_inputs_recorded(ulong seed)
    {
        var inputs = WatchTraceFixtures.Simulated(seed, 6_000);

        var file = TraceFile.Parse(WatchTraceFixtures.Record(WatchSimulation.Settings, inputs));
        var read = file.Events(new WatchInputCodec()).ToList();

        Assert.Null(file.Stop);
        Assert.Equal(inputs.Count, read.Count);
        for (var i = 0; i < inputs.Count; i++)
        {
            Assert.True(WatchTraceFixtures.Same(inputs[i], read[i].Input), $"event {i}: wrote {inputs[i]}, read {read[i].Input}");
            Assert.Equal(i, read[i].Index);
        }
    }

    [Fact]
    public void A_recorded_trace_replays_identically_as_a_one_line_regression_spec()
    {
        var path = Path.Combine(_directory, "run.trace");
        File.WriteAllBytes(path, WatchTraceFixtures.Record(WatchSimulation.Settings, WatchTraceFixtures.Simulated(11, 8_000)));

        var result = TraceAssert.ReplaysIdentically(path, new WatchTrace());

        Assert.Equal(8_000, result.Events);
    }

    [Fact]
    public void Four_thousand_agents_at_10_hz_with_stalls_take_at_most_12_bytes_per_event()
    {
        var options = new WatchOptions { Threshold = TimeSpan.FromSeconds(1), Capacity = 4096, GlobalBeatsPerSecond = 200_000 };
        var path = Path.Combine(_directory, "load.trace");
        using (var recorder = WatchTraceRecorder.Create(path, options))
        {
            var engine = new WatchEngine(options);
            var events = new List<WatchEvent>();
            foreach (var input in WatchTraceFixtures.Load(4096, TimeSpan.FromSeconds(6)))
            {
                events.Clear();
                engine.Handle(input, events);
                recorder.Record(input, events);
            }

            Assert.True(engine.Counters.Stalls >= 64, $"the load has stalls: {engine.Counters.Stalls}");
        }

        var file = TraceFile.Read(path);
        var perEvent = file.FileBytes / (double)file.EventCount;
        output.WriteLine($"{file.EventCount} events, {file.FileBytes} bytes: {perEvent:0.00} bytes/event");
        Assert.True(file.EventCount > 200_000, $"{file.EventCount} events");
        Assert.True(perEvent <= 12, $"{perEvent:0.00} bytes per event");
    }

    [Fact]
    public void Recording_allocates_nothing_per_event_once_warm()
    {
        var options = new WatchOptions { Threshold = TimeSpan.FromSeconds(1), Capacity = 512 };
        var inputs = WatchTraceFixtures.Load(512, TimeSpan.FromSeconds(4)).ToList();
        var engine = new WatchEngine(options);
        var decided = inputs.Select(input =>
        {
            var events = new List<WatchEvent>();
            engine.Handle(input, events);
            return events;
        }).ToList();
        using var recorder = WatchTraceRecorder.Create(Path.Combine(_directory, "alloc.trace"), options, new TraceWriterOptions { SealAfter = TimeSpan.MaxValue });
        var warm = inputs.Count / 2;
        for (var i = 0; i < warm; i++)
        {
            recorder.Record(inputs[i], decided[i]);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = warm; i < inputs.Count; i++)
        {
            recorder.Record(inputs[i], decided[i]);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var recorded = inputs.Count - warm;

        // Sealing a chunk (one pwrite per 4,096 events) may allocate a little; an event must not.
        Assert.True(allocated < recorded / 8, $"{allocated} bytes allocated for {recorded} events");
    }

    [Fact]
    public void A_torn_last_chunk_is_reported_and_every_chunk_before_it_is_recovered()
    {
        var bytes = WatchTraceFixtures.Record(WatchSimulation.Settings, WatchTraceFixtures.Simulated(5, 12_000));
        var whole = TraceFile.Parse(bytes);
        Assert.True(whole.Chunks.Count >= 3, $"{whole.Chunks.Count} chunks");
        var last = whole.Chunks[^1];

        var torn = TraceFile.Parse(bytes[..(int)(last.Offset + 40)], "torn.trace");

        var stop = Assert.IsType<TraceStop>(torn.Stop);
        Assert.True(stop.Torn);
        Assert.Equal(last.Offset, stop.Offset);
        Assert.Equal(last.FirstEventIndex, stop.EventIndex);
        Assert.Equal(last.FirstEventIndex, torn.EventCount);
        Assert.True(new WatchTrace().Replay([torn]).Identical);
    }

    [Fact]
    public void A_damaged_chunk_in_the_middle_stops_the_reader_there_and_is_never_skipped()
    {
        var bytes = WatchTraceFixtures.Record(WatchSimulation.Settings, WatchTraceFixtures.Simulated(6, 12_000));
        var whole = TraceFile.Parse(bytes);
        var damaged = whole.Chunks[1];
        bytes[damaged.PayloadOffset + 7] ^= 0x40;

        var file = TraceFile.Parse(bytes, "damaged.trace");

        var stop = Assert.IsType<TraceStop>(file.Stop);
        Assert.False(stop.Torn);
        Assert.Equal(1, stop.ChunkIndex);
        Assert.Contains("checksum", stop.Reason, StringComparison.Ordinal);
        Assert.Single(file.Chunks);
        Assert.Equal(whole.Chunks[0].EventCount, file.Events(new WatchInputCodec()).Count());
    }

    [Fact]
    public void A_replay_by_an_engine_that_decides_differently_names_the_first_divergence_with_context_and_writes_a_prefix_that_diverges_at_its_end()
    {
        // Recorded with the debounce bug planted; replayed by the engine as shipped.
        var buggy = new WatchSimulation(PlantedBug.DebounceOffByOne);
        var failure = new Simulator<WatchInput>(buggy).Run(new SimulationOptions { Seeds = 50, FailureDirectory = _directory, Parallelism = 1 }).Failures.First();
        var run = buggy.Start(buggy.Header(failure.Seed, ChaosLevel.Light), ChaosLevel.Light);
        var inputs = new List<WatchInput>();
        for (var i = 0; i <= failure.EventIndex && run.TryNext(out var input); i++)
        {
            inputs.Add(input);
            run.Feed(input, out _);
        }

        for (var i = 0; i < 20 && run.TryNext(out var input); i++)
        {
            inputs.Add(input);
            run.Feed(input, out _);
        }

        var header = buggy.Header(failure.Seed, ChaosLevel.Light);
        var path = Path.Combine(_directory, "buggy.trace");
        TraceWriter<WatchInput>.WriteFile(path, header, new WatchInputCodec(), TraceReplayer.Decide(buggy.Trace, header, inputs));
        var prefix = Path.Combine(_directory, "prefix.trace");

        var result = new WatchTrace().Replay([TraceFile.Read(path)], prefix);

        var divergence = Assert.IsType<Divergence>(result.Divergence);
        output.WriteLine(divergence.Report());
        Assert.Equal(failure.EventIndex, divergence.Index);
        Assert.Equal(10, divergence.Before.Count);
        Assert.Equal(5, divergence.After.Count);
        Assert.Contains(divergence.ActualDecisions, d => d.Contains("recovery_refused", StringComparison.Ordinal) && d.Contains("debounced", StringComparison.Ordinal));
        Assert.Contains("freshness_checked", divergence.Input, StringComparison.Ordinal);
        var again = new WatchTrace().Replay([TraceFile.Read(prefix)]);
        Assert.Equal(divergence.Index + 1, TraceFile.Read(prefix).EventCount);
        Assert.Equal(divergence.Index, again.Divergence?.Index);
    }

    [Fact]
    public void A_recording_past_its_size_cap_rotates_and_the_generations_replay_as_one_but_not_from_the_middle()
    {
        var options = new WatchOptions { Threshold = TimeSpan.FromSeconds(1), Capacity = 4096 };
        var path = Path.Combine(_directory, "rotating.trace");
        using (var recorder = WatchTraceRecorder.Create(path, options, new TraceWriterOptions { MaxFileBytes = TraceWriterOptions.MinFileBytes, Generations = 1 }))
        {
            var engine = new WatchEngine(options);
            var events = new List<WatchEvent>();
            foreach (var input in WatchTraceFixtures.Load(1024, TimeSpan.FromSeconds(6)))
            {
                events.Clear();
                engine.Handle(input, events);
                recorder.Record(input, events);
            }
        }

        var files = new[] { path + ".1", path };
        Assert.All(files, f => Assert.True(new FileInfo(f).Length <= TraceWriterOptions.MinFileBytes, f));
        Assert.False(File.Exists(path + ".2"));
        Assert.Equal(2, TraceFile.Read(path).Header.FileSequence);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var fromMiddle = Assert.Throws<TraceFormatException>(() => new WatchTrace().Replay(files.Select(TraceFile.Read).ToList()));
        Assert.Contains("first file", fromMiddle.Message, StringComparison.Ordinal);

        // Each file decodes on its own: its codec starts afresh.
        foreach (var file in files)
        {
            var read = TraceFile.Read(file);
            Assert.Null(read.Stop);
            Assert.Equal(read.EventCount, read.Events(new WatchInputCodec()).Count());
        }
    }

    [Fact]
    public void Generations_kept_from_the_first_file_on_replay_identically()
    {
        var options = new WatchOptions { Threshold = TimeSpan.FromSeconds(1), Capacity = 4096 };
        var path = Path.Combine(_directory, "kept.trace");
        using (var recorder = WatchTraceRecorder.Create(path, options, new TraceWriterOptions { MaxFileBytes = TraceWriterOptions.MinFileBytes, Generations = 10 }))
        {
            var engine = new WatchEngine(options);
            var events = new List<WatchEvent>();
            foreach (var input in WatchTraceFixtures.Load(1024, TimeSpan.FromSeconds(4)))
            {
                events.Clear();
                engine.Handle(input, events);
                recorder.Record(input, events);
            }
        }

        var older = Enumerable.Range(1, 10).Select(n => $"{path}.{n}").Where(File.Exists).ToArray();
        Assert.True(older.Length >= 1, "the recording rotated");

        var result = TraceAssert.ReplaysIdentically(path, new WatchTrace(), older);

        Assert.True(result.Events > 30_000, $"{result.Events} events");
    }

    [Fact]
    public void Explain_tells_why_a_pid_was_recovered_and_why_a_later_recovery_was_refused()
    {
        var options = new WatchOptions { Threshold = TimeSpan.FromSeconds(1), RecoveryEnabled = true, RecoveryDebounce = TimeSpan.FromSeconds(60) };
        var facts = new OriginFacts(Origin.KernelAttested, SenderPid: 4242, SenderUid: 1000, SameNamespace: true, StartTime: 99);
        WatchInput Beat(int ms, ulong nonce) => new WatchInput.Datagram(TimeSpan.FromMilliseconds(ms), new Frame(BeatStatus.Ok, 4242, (ulong)ms * 1_000_000, nonce, 0).ToBytes(), facts);
        WatchInput[] inputs =
        [
            Beat(0, 1), Beat(100, 2), new WatchInput.Tick(TimeSpan.FromMilliseconds(1200)),
            new WatchInput.FreshnessChecked(TimeSpan.FromMilliseconds(1210), 1, 99),
            new WatchInput.RecoveryEnded(TimeSpan.FromMilliseconds(1400), 1, new RecoveryResult(new Outcome.Exited(0), null, TimeSpan.FromMilliseconds(190), 0, 0, false)),
            Beat(2000, 3), new WatchInput.Tick(TimeSpan.FromMilliseconds(3100)),
            new WatchInput.FreshnessChecked(TimeSpan.FromMilliseconds(3105), 2, 99),
        ];
        var file = TraceFile.Parse(WatchTraceFixtures.Record(options, inputs));

        var lines = new WatchTrace().Explain([file], "4242");

        output.WriteLine(string.Join('\n', lines));
        Assert.StartsWith("event #3, t=1210ms: pid 4242 was RECOVERED (recovery 1) because:", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("stalled at t=1200ms after 1100ms of silence (threshold 1000ms)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("REFUSED (debounced) because a recovery of the same process ran at t=1210ms", StringComparison.Ordinal));
        Assert.Equal(["pid 7: the trace has no beat and no decision about this pid."], new WatchTrace().Explain([file], "7"));
    }
}
