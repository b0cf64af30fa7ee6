using System.Globalization;
using System.Runtime.InteropServices;

namespace Tether.Cli.Tests.Infrastructure;

/// <summary>Looks at and signals processes by pid, for specs that check a tree is really gone.</summary>
internal static partial class Processes
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>True while <paramref name="pid"/> exists and is not a zombie (a zombie is dead, only not yet reaped).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; a process that is already gone is fine.</summary>
    public static void Signal(int pid, int signal)
    {
        if (pid > 0)
        {
            _ = kill(pid, signal);
        }
    }

    /// <summary>True when this process ignores SIGINT, and so will the children it starts unless told otherwise.</summary>
    public static bool IgnoresSigInt()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("SigIgn:", StringComparison.Ordinal))
            {
                var mask = ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                return (mask & (1UL << (SigInt - 1))) != 0;
            }
        }

        return false;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
