using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Tether.Journaling;
using Tether.Journaling.Internal;

// A writer for the crash specs (tests/Tether.Journal.Tests/CrashSpecs.cs). It appends until it is killed, and prints
// "ack SEQ WRITER N" only after AppendAsync returned SEQ for append N: whatever the spec reads was acknowledged.
//
//   append DIR WRITER CONCURRENCY [--buffered] [--segment-bytes N] [--max-segments N] [--prune-every N] [--pad N]
//          [--tear PERCENT]     with PERCENT % chance per commit, write half of it and SIGKILL itself (a real torn tail)
//   job DIR JOB            start JOB (job.started), print "started SEQ", then wait to be killed
return await CrashWriter.RunAsync(args);

internal static class CrashWriter
{
    private static readonly Lock OutputGate = new();
    private static readonly Stream Stdout = Console.OpenStandardOutput();

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            return args[0] switch
            {
                "append" => await AppendAsync(args),
                "job" => await JobAsync(args),
                _ => Usage(),
            };
        }
        catch (IndexOutOfRangeException)
        {
            return Usage();
        }
    }

    private static async Task<int> AppendAsync(string[] args)
    {
        var directory = args[1];
        var writer = int.Parse(args[2], CultureInfo.InvariantCulture);
        var concurrency = int.Parse(args[3], CultureInfo.InvariantCulture);
        var options = new JournalOptions();
        int? maxSegments = null;
        var pruneEvery = 0;
        var pad = 0;
        for (var i = 4; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--buffered":
                    options = options with { Durability = Durability.Buffered, BufferedSyncInterval = TimeSpan.FromMilliseconds(20) };
                    break;
                case "--segment-bytes":
                    options = options with { SegmentMaxBytes = long.Parse(args[++i], CultureInfo.InvariantCulture) };
                    break;
                case "--max-segments":
                    maxSegments = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    options = options with { Retention = new RetentionPolicy { MaxSegments = maxSegments } };
                    break;
                case "--prune-every":
                    pruneEvery = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--pad":
                    pad = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--tear":
                    var percent = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    options = options with
                    {
                        Faults = new FaultInjection(point => point switch
                        {
                            FaultPoint.Write when Random.Shared.Next(100) < percent => 5,
                            FaultPoint.AfterPartialWrite => Die(),
                            _ => 0,
                        }),
                    };
                    break;
                default:
                    return Usage();
            }
        }

        await using var journal = await Journal.OpenAsync(directory, options);
        Print("ready");
        var counter = 0;
        var padding = new string('x', pad);
        var appenders = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (true)
            {
                var n = Interlocked.Increment(ref counter);
                var data = new JsonObject { ["writer"] = writer, ["n"] = n };
                if (pad > 0)
                {
                    data["pad"] = padding;
                }

                var seq = await journal.AppendAsync(new JournalEntry("crash.append", $"w{writer}", data));
                Print(string.Create(CultureInfo.InvariantCulture, $"ack {seq} {writer} {n}"));
                if (pruneEvery > 0 && n % pruneEvery == 0 && maxSegments is { } keep)
                {
                    await journal.PruneAsync(new RetentionPolicy { MaxSegments = keep });
                }
            }
        }).ToArray();
        await Task.WhenAll(appenders);
        return 0;
    }

    private static async Task<int> JobAsync(string[] args)
    {
        await using var journal = await Journal.OpenAsync(args[1]);
        var jobs = new JobJournal(journal);
        var seq = await jobs.StartedAsync(args[2]);
        Print(string.Create(CultureInfo.InvariantCulture, $"started {seq}"));
        await Task.Delay(Timeout.Infinite);
        return 0;
    }

    private static int Die()
    {
        Process.GetCurrentProcess().Kill(); // SIGKILL: nothing after this runs
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    /// <summary>One whole line per write(2), so a kill can cut only the line being written.</summary>
    private static void Print(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        lock (OutputGate)
        {
            Stdout.Write(bytes);
            Stdout.Flush();
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: append DIR WRITER CONCURRENCY [--buffered] [--segment-bytes N] [--max-segments N] [--prune-every N] [--pad N] [--tear PERCENT] | job DIR JOB");
        return 2;
    }
}
