namespace Tether.Benchmarks;

/// <summary>
/// Checks, once per process, that every contender of a scenario does the same work and gets the same answer before
/// anything is measured, so a ratio never compares a run that failed with one that worked.
/// </summary>
internal static class Validation
{
    private static readonly HashSet<string> Validated = [];
    private static bool s_mechanismsReported;

    public static void Once(string scenario, Action validate)
    {
        lock (Validated)
        {
            if (Validated.Add(scenario))
            {
                validate();
            }
        }
    }

    public static void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Validation failed before measuring: {what} is not what every contender must produce.");
        }
    }

    /// <summary>Prints which containment each Tether mode really got, so the report never assumes it.</summary>
    public static void ReportMechanisms()
    {
        if (s_mechanismsReported)
        {
            return;
        }

        s_mechanismsReported = true;
        var report = Containment.Probe();
        Console.WriteLine($"// Tether containment probe: cgroup available={report.CgroupAvailable} mount={report.CgroupMountPoint} path={report.CgroupPath} reason={report.CgroupUnavailableReason ?? "-"} warden={report.WardenShell ?? "-"}");
        foreach (var mode in new[] { ContainmentMode.Auto, ContainmentMode.ProcessGroup })
        {
            var mechanism = MechanismOf(mode).GetAwaiter().GetResult();
            Console.WriteLine($"// Tether ContainmentMode.{mode} runs with mechanism {mechanism}");
        }
    }

    public static async Task<ContainmentMechanism> MechanismOf(ContainmentMode mode)
    {
        var result = await ProcessRunner.Default.OutputBytesAsync(new Command("/bin/true").WithContainment(mode)).ConfigureAwait(false);
        return result.Mechanism;
    }
}
