using BenchmarkDotNet.Attributes;
using Tether.Benchmarks.Contenders;

namespace Tether.Benchmarks.Scenarios;

/// <summary>
/// Pass 64 MiB of a program's stdout (<c>head -c 64M /dev/zero</c>) on to another stream as it arrives, keeping none
/// of it: what a runner that shows a child's output does. The destination is <see cref="Stream.Null"/>, so only the
/// passing costs. (For <c>tether run</c> as a whole process, see the <c>cli-passthrough</c> mode.)
/// </summary>
[Config(typeof(StreamingConfig))]
public class PassthroughBenchmarks
{
    private const string Head = "/usr/bin/head";
    private static readonly string[] Arguments = ["-c", "67108864", "/dev/zero"];

    [GlobalSetup]
    public void Setup() => Validation.Once(nameof(PassthroughBenchmarks), () =>
    {
        Validation.Expect(Counted(stream => ProcessContender.PassthroughAsync(stream, Head, Arguments)), "Process passthrough");
        Validation.Expect(Counted(stream => CliWrapContender.PassthroughAsync(stream, Head, Arguments)), "CliWrap passthrough");
        Validation.Expect(Counted(stream => MedallionContender.PassthroughAsync(stream, Head, Arguments)), "MedallionShell passthrough");
        Validation.Expect(Counted(stream => TetherContender.PassthroughAsync(ContainmentMode.Auto, stream, Head, Arguments)), "Tether Auto passthrough");
        Validation.Expect(Counted(stream => TetherContender.PassthroughAsync(ContainmentMode.ProcessGroup, stream, Head, Arguments)), "Tether ProcessGroup passthrough");
        Validation.ReportMechanisms();
    });

    [Benchmark(Baseline = true, Description = "Process")]
    public Task<int> Process() => ProcessContender.PassthroughAsync(Stream.Null, Head, Arguments);

    [Benchmark(Description = "CliWrap")]
    public Task<int> CliWrap() => CliWrapContender.PassthroughAsync(Stream.Null, Head, Arguments);

    [Benchmark(Description = "MedallionShell")]
    public Task<int> MedallionShell() => MedallionContender.PassthroughAsync(Stream.Null, Head, Arguments);

    [Benchmark(Description = "Tether Auto")]
    public Task<int> TetherAuto() => TetherContender.PassthroughAsync(ContainmentMode.Auto, Stream.Null, Head, Arguments);

    [Benchmark(Description = "Tether ProcessGroup")]
    public Task<int> TetherProcessGroup() => TetherContender.PassthroughAsync(ContainmentMode.ProcessGroup, Stream.Null, Head, Arguments);

    /// <summary>True when the contender passed on all 64 MiB and the program exited 0.</summary>
    private static bool Counted(Func<Stream, Task<int>> pass)
    {
        var counter = new CountingStream();
        return pass(counter).GetAwaiter().GetResult() == 0 && counter.Count == 64L * 1024 * 1024;
    }

    /// <summary>A write-only stream that counts what it gets.</summary>
    private sealed class CountingStream : Stream
    {
        public long Count { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Count;

        public override long Position { get => Count; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Count += count;

        public override void Write(ReadOnlySpan<byte> buffer) => Count += buffer.Length;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Count += buffer.Length;
            return ValueTask.CompletedTask;
        }
    }
}
