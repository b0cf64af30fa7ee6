using System.Globalization;

namespace Tether.Watch.Tests;

/// <summary>
/// Finds live processes by a unique argument they were started with (such as <c>sleep 600.123456789</c>), so a spec can
/// tell whether any process of a recovery's tree survived without having to learn each pid before the tree is killed.
/// </summary>
internal static class MarkedProcesses
{
    /// <summary>A unique duration for <c>sleep</c> that marks its process: a long sleep with random fractional digits.</summary>
    public static string NewSleepMarker() =>
        "600." + Random.Shared.NextInt64(100_000_000, 1_000_000_000).ToString(CultureInfo.InvariantCulture);

    /// <summary>Live processes (not zombies) that have <paramref name="argument"/> as one of their arguments.</summary>
    public static IReadOnlyList<WatchedProcess> WithArgument(string argument)
    {
        var found = new List<WatchedProcess>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string cmdline;
            try
            {
                cmdline = File.ReadAllText(Path.Combine(directory, "cmdline"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue; // gone meanwhile
            }

            if (!cmdline.Split('\0').Contains(argument, StringComparer.Ordinal))
            {
                continue;
            }

            try
            {
                var process = WatchedProcess.Of(pid);
                if (process.IsAlive)
                {
                    found.Add(process);
                }
            }
            catch (InvalidOperationException)
            {
                // Gone between the two reads.
            }
        }

        return found;
    }

    /// <summary>SIGKILLs every live process marked with <paramref name="argument"/> (cleanup after a failed spec).</summary>
    public static void Kill(string argument)
    {
        foreach (var process in WithArgument(argument))
        {
            process.Kill();
        }
    }
}
