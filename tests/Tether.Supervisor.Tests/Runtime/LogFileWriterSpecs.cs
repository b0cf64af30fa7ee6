using System.Buffers;
using System.Text;
using Tether.Supervisor.Logs;

namespace Tether.Supervisor.Tests.Runtime;

/// <summary>The log file writer on its own: whole lines, prefixes for replicas, rotation, and a failing disk.</summary>
public sealed class LogFileWriterSpecs : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tether-logwriter-").FullName;

    [Fact]
    public void Lines_of_two_streams_arriving_in_pieces_are_never_cut_into_each_other()
    {
        var path = WriteAll(new LogPolicy(1 << 20, 1),
            (Out, "hel"), (Err, "oops\nwor"), (Out, "lo\n"), (Err, "ld\n"));

        Assert.Equal(["oops", "hello", "world"], File.ReadAllLines(path));
    }

    [Fact]
    public void Lines_of_a_replicated_service_carry_the_instance_index()
    {
        var path = WriteAll(new LogPolicy(1 << 20, 1),
            (new LogSource(0, LogStream.Stdout, Prefixed: true), "a\n"), (new LogSource(2, LogStream.Stderr, Prefixed: true), "b\nc"));

        Assert.Equal(["[0] a", "[2] b", "[2] c"], File.ReadAllLines(path));
    }

    [Fact]
    public void The_file_is_rotated_before_a_line_would_take_it_past_the_size_and_only_keep_files_are_kept()
    {
        var lines = Enumerable.Range(1, 100).Select(i => (Out, $"line {i:D3}\n")).ToArray(); // 9 bytes each
        var path = WriteAll(new LogPolicy(90, 3), lines);

        Assert.Equal(["test.log", "test.log.1", "test.log.2", "test.log.3"], Directory.GetFiles(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(91, 10).Select(i => $"line {i:D3}"), File.ReadAllLines(path));
        Assert.Equal(Enumerable.Range(81, 10).Select(i => $"line {i:D3}"), File.ReadAllLines(path + ".1"));
        Assert.Equal(Enumerable.Range(61, 10).Select(i => $"line {i:D3}"), File.ReadAllLines(path + ".3"));
    }

    [Fact]
    public void A_line_that_never_ends_is_written_out_once_it_passes_the_partial_line_limit()
    {
        var pieces = Enumerable.Repeat((Out, new string('x', 1000)), 70).ToArray();
        var path = WriteAll(new LogPolicy(1 << 20, 1), pieces);

        Assert.Equal([66_000, 4_000], File.ReadAllLines(path).Select(line => line.Length));
        Assert.True(66_000 >= LogFileWriter.MaxPartialLine);
    }

    [Fact]
    public void Bytes_dropped_in_the_middle_of_a_line_never_glue_its_two_halves_together()
    {
        var writer = new LogFileWriter(_directory, "test", new LogPolicy(1 << 20, 1));
        writer.Write(Chunk(Out, "whole\nhalf of a"));
        writer.Write(new LogChunk(Out, null, 0, Gap: true)); // the queue was full: bytes were dropped here
        writer.Write(Chunk(Out, "nother line\nnext\n"));
        writer.Dispose();

        Assert.Equal(["whole", "next"], File.ReadAllLines(writer.Path));
        Assert.Equal(1, writer.DroppedLines); // the cut line; lines ending inside the dropped bytes are counted by the queue
    }

    [Fact]
    public void A_write_that_fails_drops_and_counts_its_lines_and_the_next_one_succeeds()
    {
        // The logs directory is a file: creating the log fails (ENOTDIR), as a vanished or full disk would.
        var blocked = Path.Combine(_directory, "blocked");
        File.WriteAllText(blocked, "");
        var writer = new LogFileWriter(blocked, "test", new LogPolicy(1 << 20, 1));
        writer.Write(Chunk(Out, "one\ntwo\n"));
        writer.Flush();
        Assert.Equal(2, writer.DroppedLines);
        Assert.NotNull(writer.LastError);

        File.Delete(blocked);
        writer.Write(Chunk(Out, "three\n"));
        writer.Dispose();
        Assert.Equal(["three"], File.ReadAllLines(Path.Combine(blocked, "test.log")));
        Assert.Equal(2, writer.DroppedLines);
        Assert.Equal(1, writer.WrittenLines);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static LogSource Out => new(0, LogStream.Stdout, Prefixed: false);

    private static LogSource Err => new(0, LogStream.Stderr, Prefixed: false);

    private string WriteAll(LogPolicy policy, params (LogSource Source, string Text)[] chunks)
    {
        var writer = new LogFileWriter(_directory, "test", policy);
        foreach (var (source, text) in chunks)
        {
            writer.Write(Chunk(source, text));
        }

        writer.Dispose();
        Assert.Equal(0, writer.DroppedLines);
        return writer.Path;
    }

    private static LogChunk Chunk(LogSource source, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var buffer = ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(buffer, 0);
        return new LogChunk(source, buffer, bytes.Length);
    }
}
