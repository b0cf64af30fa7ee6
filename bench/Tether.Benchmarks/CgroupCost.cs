using System.Diagnostics;
using System.Globalization;
using Tether.Benchmarks.Contenders;

namespace Tether.Benchmarks;

/// <summary>
/// <c>cgroup-cost [--rounds N]</c>: what it costs the kernel, without Tether, when a streaming child lives in another
/// cgroup than the process feeding and reading it. Pushes 64 MiB through <c>cat</c> with System.Diagnostics.Process,
/// with <c>cat</c> either left in our cgroup or moved into a fresh sibling leaf by the same <c>/bin/sh</c> exec shim
/// Tether uses; both go through <c>/bin/sh</c>, so the only difference is the cgroup.
/// </summary>
internal static class CgroupCost
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = args is ["--rounds", var n] && int.TryParse(n, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 ? parsed : 15;
        var probe = Containment.Probe();
        if (!probe.CgroupAvailable || probe.CgroupPath is null)
        {
            await Console.Error.WriteLineAsync($"cgroup-cost needs a writable cgroup v2 hierarchy: {probe.CgroupUnavailableReason}").ConfigureAwait(false);
            return 1;
        }

        var leaf = Path.Combine(probe.CgroupPath, $"tether-bench-cost-{Environment.ProcessId}");
        Directory.CreateDirectory(leaf);
        try
        {
            var input = new byte[64 * 1024 * 1024];
            new Random(7).NextBytes(input);
            var same = new List<double>();
            var other = new List<double>();
            for (var round = 0; round <= rounds; round++)
            {
                var sameTime = await TimeAsync(input, "exec cat").ConfigureAwait(false);
                var otherTime = await TimeAsync(input, "echo $$ > \"$1\" || exit 125; exec cat", Path.Combine(leaf, "cgroup.procs")).ConfigureAwait(false);
                if (round > 0)
                {
                    same.Add(sameTime);
                    other.Add(otherTime);
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"64 MiB through cat (System.Diagnostics.Process, {rounds} alternating rounds): cat in our cgroup median {Median(same):0.0} ms; cat in a sibling cgroup leaf median {Median(other):0.0} ms ({Median(other) / Median(same):0.00}x)."));
        }
        finally
        {
            Directory.Delete(leaf);
        }

        return 0;
    }

    private static async Task<double> TimeAsync(byte[] input, string script, params string[] extra)
    {
        var clock = Stopwatch.StartNew();
        var output = await ProcessContender.OutputBytesAsync("/bin/sh", input, input.Length, ["-c", script, "tether-bench", .. extra]).ConfigureAwait(false);
        var elapsed = clock.Elapsed.TotalMilliseconds;
        if (output.Length != input.Length)
        {
            throw new InvalidOperationException($"cat returned {output.Length} bytes instead of {input.Length}.");
        }

        return elapsed;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
