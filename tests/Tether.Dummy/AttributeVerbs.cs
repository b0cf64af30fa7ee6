using System.Globalization;
using Tether;

namespace DummyProgram;

/// <summary>Verbs that check how Tether starts a child with process attributes, from inside a host run as someone else.</summary>
internal static class AttributeVerbs
{
    /// <summary>
    /// <c>try-privileged</c>: asks Tether for what only root may give a child — a lower niceness, a raised hard limit —
    /// and prints one line per attempt: <c>ran</c> with the outcome, or <c>refused ERRNO REASON</c>.
    /// </summary>
    public static async Task<int> TryPrivilegedAsync()
    {
        Command[] attempts =
        [
            new Command("/bin/true").WithNiceness(-5),
            new Command("/bin/true").WithResourceLimit(ResourceLimit.OpenFiles, ulong.MaxValue),
        ];
        foreach (var command in attempts)
        {
            await ReportAsync(command);
        }

        return 0;
    }

    /// <summary>
    /// <c>run-as-user UID GID</c>: asks Tether to run <c>/bin/true</c> as UID:GID and prints <c>ran</c> with the
    /// outcome, or <c>refused ERRNO REASON</c> when Tether refuses with <see cref="SpawnFailedException"/>.
    /// </summary>
    public static async Task<int> RunAsUserAsync(string[] args)
    {
        if (args.Length != 2)
        {
            Output.Stderr.WriteLine("run-as-user: give a user id and a group id");
            return 64;
        }

        await ReportAsync(new Command("/bin/true").WithUser(
            int.Parse(args[0], CultureInfo.InvariantCulture),
            int.Parse(args[1], CultureInfo.InvariantCulture)));
        return 0;
    }

    private static async Task ReportAsync(Command command)
    {
        try
        {
            var result = await ProcessRunner.Default.OutputStringAsync(command);
            Output.Stdout.WriteLine($"ran {result.Outcome}");
        }
        catch (SpawnFailedException ex)
        {
            Output.Stdout.WriteLine($"refused {ex.Errno.ToString(CultureInfo.InvariantCulture)} {ex.Reason}");
        }
    }
}
