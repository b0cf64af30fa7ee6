using System.Globalization;

namespace Tether.Tests.Infrastructure;

/// <summary>
/// The fuzz specs' one mutator: damages a valid file the ways storage and people do (flipped bits, overwritten,
/// inserted and deleted bytes, a repeated or lost stretch, a cut-off end, bytes that are not UTF-8, a <c>\ud800</c>
/// escape, a stray quote, brace or newline). Seeded, so a failing case names the seed that reproduces it.
/// </summary>
/// <remarks>
/// The specs run <see cref="Iterations"/> cases per reader: a few hundred by default, so CI stays within seconds, or
/// as many as <c>TETHER_FUZZ_ITERATIONS</c> says for a long run (<c>TETHER_FUZZ_ITERATIONS=200000 dotnet test
/// --filter FullyQualifiedName~FuzzSpecs</c>). Seeds are fixed: case N always gets seed <c>BaseSeed + N</c>.
/// </remarks>
internal static class SeededMutator
{
    /// <summary>The environment variable that sets how many cases each fuzz spec runs.</summary>
    public const string IterationsVariable = "TETHER_FUZZ_ITERATIONS";

    /// <summary>How long one input may take to read before it counts as a hang (generous: the machine may be loaded).</summary>
    public static readonly TimeSpan PerInputTimeout = TimeSpan.FromSeconds(20);

    private static readonly byte[][] Interesting =
    [
        [0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF],
        "\\ud800"u8.ToArray(), "\\udc00"u8.ToArray(), "\""u8.ToArray(), "{"u8.ToArray(), "}"u8.ToArray(),
        "\n"u8.ToArray(), "\\"u8.ToArray(), "\0"u8.ToArray(), "99999999999999999999999"u8.ToArray(), "-1"u8.ToArray(),
        "null"u8.ToArray(), "[]"u8.ToArray(), "\t"u8.ToArray(), ","u8.ToArray(),
    ];

    /// <summary>Cases per spec: <c>TETHER_FUZZ_ITERATIONS</c> when set, else <paramref name="ciDefault"/>.</summary>
    public static int Iterations(int ciDefault) =>
        int.TryParse(Environment.GetEnvironmentVariable(IterationsVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : ciDefault;

    /// <summary>
    /// Applies one to four mutations to a copy of <paramref name="input"/>. <paramref name="firstChanged"/> is the
    /// lowest offset whose byte may differ from the input's: every byte before it is as it was.
    /// </summary>
    public static byte[] Mutate(byte[] input, int seed, out int firstChanged)
    {
        var random = new Random(seed);
        var bytes = new List<byte>(input);
        firstChanged = int.MaxValue;
        var count = 1 + random.Next(4);
        for (var i = 0; i < count; i++)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            firstChanged = Math.Min(firstChanged, at);
            switch (random.Next(9))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 3 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(1 + random.Next(16), bytes.Count - at));
                    break;
                case 4 when bytes.Count > 0:
                    var length = Math.Min(1 + random.Next(64), bytes.Count - at);
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
                case 5:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 6:
                    bytes.InsertRange(at, Interesting[random.Next(Interesting.Length)]);
                    break;
                case 7 when bytes.Count > 0:
                    var replacement = Interesting[random.Next(Interesting.Length)];
                    bytes.RemoveRange(at, Math.Min(replacement.Length, bytes.Count - at));
                    bytes.InsertRange(at, replacement);
                    break;
                default:
                    // A digit changed: numbers are where a parser's range checks live.
                    var digit = bytes.FindIndex(at, b => b is >= (byte)'0' and <= (byte)'9');
                    if (digit >= 0)
                    {
                        firstChanged = Math.Min(firstChanged, digit);
                        bytes[digit] = (byte)('0' + random.Next(10));
                    }

                    break;
            }
        }

        return [.. bytes];
    }

    /// <summary>
    /// Runs <paramref name="read"/> with the per-input timeout and returns what it threw (null when it returned); a
    /// hang fails the spec with the seed. The caller judges the exception against the reader's documented errors.
    /// </summary>
    public static Exception? Read(int seed, Action read)
    {
        var task = Task.Factory.StartNew(read, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            if (!task.Wait(PerInputTimeout))
            {
                Assert.Fail($"seed {seed}: the reader did not return within {PerInputTimeout.TotalSeconds:0} s (a hang)");
            }

            return null;
        }
        catch (AggregateException e)
        {
            return e.InnerException;
        }
    }
}
