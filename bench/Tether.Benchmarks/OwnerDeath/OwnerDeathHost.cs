using System.Globalization;

namespace Tether.Benchmarks.OwnerDeath;

/// <summary>
/// The victim side of the owner-death measurement (<c>owner-death-host MODE</c>): starts a tree with Tether, waits
/// until both grandchildren run (one of them in its own session, out of the process group), prints their pids and
/// <c>ready</c>, then waits to be SIGKILLed.
/// </summary>
internal static class OwnerDeathHost
{
    /// <summary>The tree: a plain background child and a <c>setsid</c> one that leaves the process group.</summary>
    public const string Script = "sleep 600 & setsid sleep 600 & wait";

    public static async Task<int> RunAsync(string modeName)
    {
        var mode = Enum.Parse<ContainmentMode>(modeName, ignoreCase: true);
        var command = new Command("/bin/sh").WithArguments("-c", Script).WithContainment(mode);
        var running = await ProcessRunner.Default.StartAsync(command).ConfigureAwait(false);
        var shell = running.Pid;

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        List<ProcStat> sleeps;
        while (true)
        {
            var shellStat = ProcStat.Read(shell);
            sleeps = ProcStat.ChildrenOf(shell).Where(c => c.Comm == "sleep").ToList();
            if (shellStat is { } s && sleeps.Count == 2 && sleeps.Any(c => c.Session != s.Session))
            {
                break;
            }

            if (DateTime.UtcNow > deadline)
            {
                await Console.Error.WriteLineAsync($"owner-death-host: the tree under pid {shell} did not come up within 20 s (children: {string.Join(", ", sleeps)}).").ConfigureAwait(false);
                return 1;
            }

            await Task.Delay(1).ConfigureAwait(false);
        }

        Console.WriteLine($"mechanism {running.Mechanism}");
        Console.WriteLine($"cgroup {ProcStat.CgroupV2Path(shell) ?? "-"}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pids {shell} {string.Join(' ', sleeps.Select(c => c.Pid))}"));
        Console.WriteLine("ready");

        // Wait to be killed; the run must stay referenced until then.
        await Task.Delay(Timeout.Infinite).ConfigureAwait(false);
        GC.KeepAlive(running);
        return 0;
    }
}
