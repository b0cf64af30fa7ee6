namespace Tether.Lab.Tests;

/// <summary>The trace format on its own: varints, the header, chunks, torn and damaged files, rotation.</summary>
public sealed class TraceFormatSpecs : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tether-lab-format-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(-1L)]
    [InlineData(63L)]
    [InlineData(-64L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void A_zigzag_varint_reads_back_and_small_values_take_one_byte(long value)
    {
        var encoder = new TraceEncoder();
        encoder.WriteVarInt(value);

        var decoder = new TraceDecoder(encoder.Written);

        Assert.Equal(value, decoder.ReadVarInt());
        Assert.True(decoder.AtEnd);
        Assert.True(value is < -64 or > 63 || encoder.Length == 1, $"{value} took {encoder.Length} bytes");
    }

    [Fact]
    public void Reading_past_the_end_is_a_format_error_never_a_made_up_value()
    {
        var ex = Assert.Throws<TraceFormatException>(() =>
        {
            var decoder = new TraceDecoder([0x80, 0x80]);
            decoder.ReadVarUInt();
        });

        Assert.Contains("runs past its end", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_header_carries_engine_version_seed_and_configuration_with_its_hash()
    {
        var bytes = TraceWriter<long>.Encode(CounterEngine.Header(seed: 77), new CounterEngine().CreateCodec(), []);

        var file = TraceFile.Parse(bytes);

        Assert.Equal(("counter", 1, 77UL), (file.Header.EngineKind, file.Header.EngineVersion, file.Header.Seed));
        Assert.Equal(new byte[] { 1, 2, 3 }, file.Header.Configuration.ToArray());
        Assert.Equal(CounterEngine.Header().ConfigurationHash, file.Header.ConfigurationHash);
        Assert.Equal(0, file.EventCount);
        Assert.Null(file.Stop);
    }

    [Theory]
    [InlineData(new byte[0], "the file is empty")]
    [InlineData(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 }, "does not start with a trace header")]
    public void Something_that_is_not_a_trace_says_so(byte[] bytes, string message)
    {
        var ex = Assert.Throws<TraceFormatException>(() => TraceFile.Parse(bytes));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_damaged_header_is_refused_by_its_checksum()
    {
        var bytes = TraceWriter<long>.Encode(CounterEngine.Header(), new CounterEngine().CreateCodec(), CounterEngine.Decide([1, 2, 3]));
        bytes[14] ^= 1;

        var ex = Assert.Throws<TraceFormatException>(() => TraceFile.Parse(bytes));

        Assert.Contains("checksum", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_cut_of_a_file_recovers_exactly_the_whole_chunks_before_the_cut()
    {
        var inputs = Enumerable.Range(1, 20_000).Select(i => (long)(i % 97)).ToList();
        var bytes = TraceWriter<long>.Encode(CounterEngine.Header(), new CounterEngine().CreateCodec(), CounterEngine.Decide(inputs));
        var whole = TraceFile.Parse(bytes);
        Assert.True(whole.Chunks.Count >= 4);

        foreach (var cut in new[] { whole.Chunks[1].Offset + 1, whole.Chunks[2].Offset + 30, bytes.Length - 1 })
        {
            var file = TraceFile.Parse(bytes[..(int)cut]);
            var kept = whole.Chunks.Count(c => c.PayloadOffset + c.PayloadLength + TraceFormat.ChunkTailSize <= cut);

            Assert.Equal(kept, file.Chunks.Count);
            Assert.True(file.Stop is { Torn: true }, $"cut at {cut}: {file.Stop}");
            Assert.Equal(inputs.Take((int)file.EventCount), file.Events(new CounterEngine().CreateCodec()).Select(r => r.Input));
        }
    }

    [Fact]
    public void A_flipped_bit_in_any_chunk_stops_reading_at_that_chunk()
    {
        var bytes = TraceWriter<long>.Encode(CounterEngine.Header(), new CounterEngine().CreateCodec(), CounterEngine.Decide(Enumerable.Range(1, 20_000).Select(i => (long)i)));
        var whole = TraceFile.Parse(bytes);

        for (var chunk = 0; chunk < whole.Chunks.Count; chunk++)
        {
            var damaged = (byte[])bytes.Clone();
            damaged[whole.Chunks[chunk].PayloadOffset + 3] ^= 0x10;

            var file = TraceFile.Parse(damaged);

            Assert.Equal(chunk, file.Chunks.Count);
            Assert.Equal(chunk, file.Stop?.ChunkIndex);
            Assert.False(file.Stop!.Torn);
        }
    }

    [Fact]
    public void A_recording_rotates_at_its_cap_keeps_its_generations_and_writes_owner_only()
    {
        var path = Path.Combine(_directory, "counter.trace");
        File.WriteAllText(path, "an earlier recording");
        var options = new TraceWriterOptions { MaxFileBytes = TraceWriterOptions.MinFileBytes, Generations = 2 };
        using (var writer = TraceWriter<long>.Create(path, CounterEngine.Header(), new CounterEngine().CreateCodec(), options))
        {
            foreach (var (input, decisions) in CounterEngine.Decide(Enumerable.Range(0, 400_000).Select(i => (long)(i * 1000))))
            {
                writer.Record(input, decisions);
            }

            Assert.True(writer.Rotations >= 3, $"{writer.Rotations} rotations");
        }

        Assert.False(File.Exists(path + ".3"));
        foreach (var file in new[] { path, path + ".1", path + ".2" })
        {
            Assert.True(new FileInfo(file).Length <= TraceWriterOptions.MinFileBytes, file);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        var newest = TraceFile.Read(path);
        var before = TraceFile.Read(path + ".1");
        Assert.Equal(before.Header.FileSequence + 1, newest.Header.FileSequence);
        Assert.Equal(before.Header.FirstEventIndex + before.EventCount, newest.Header.FirstEventIndex);
        Assert.Equal(newest.Header.FirstEventIndex * 1000, newest.Events(new CounterEngine().CreateCodec()).First().Input);
    }

    [Fact]
    public void A_recording_never_writes_through_a_symbolic_link_planted_at_its_path()
    {
        var target = Path.Combine(_directory, "target");
        File.WriteAllText(target, "keep");
        var link = Path.Combine(_directory, "link.trace");
        File.CreateSymbolicLink(link, target);

        // The link is a name at the path: rotated away like an earlier recording, never opened.
        TraceWriter<long>.Create(link, CounterEngine.Header(), new CounterEngine().CreateCodec(), new TraceWriterOptions { Generations = 1 }).Dispose();

        Assert.Equal("keep", File.ReadAllText(target));
        Assert.Null(new FileInfo(link).LinkTarget);
        Assert.Equal(target, new FileInfo(link + ".1").LinkTarget);
        Assert.Equal("counter", TraceFile.Read(link).Header.EngineKind);
    }
}
