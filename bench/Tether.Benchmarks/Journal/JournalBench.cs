using System.Text.Json.Nodes;
using Tether.Journaling;

namespace Tether.Benchmarks.Journal;

/// <summary>What the journal benchmarks share: where they write and the record they append.</summary>
internal static class JournalBench
{
    /// <summary>
    /// Scratch directories go under /var/tmp, on the machine's real disk: a journal on tmpfs would measure an
    /// fdatasync that does nothing. Both contenders write to the same file system.
    /// </summary>
    public const string ScratchRoot = "/var/tmp";

    public const string Type = "job.output";
    public const string Job = "build-42";

    /// <summary>A fresh, empty directory for one measurement.</summary>
    public static string NewScratchDirectory(string what)
    {
        var path = System.IO.Path.Combine(ScratchRoot, $"tether-jbench-{what}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    public static void DeleteQuietly(string? path)
    {
        if (path is not null && System.IO.Directory.Exists(path))
        {
            System.IO.Directory.Delete(path, recursive: true);
        }
    }

    /// <summary>The record every append writes (about 170 bytes as a journal line): the same fields the reference
    /// appender writes.</summary>
    public static JournalEntry Entry(int n) =>
        new(Type, Job, new JsonObject { ["n"] = n, ["stream"] = "stdout", ["text"] = $"compiling module {n}" });
}
