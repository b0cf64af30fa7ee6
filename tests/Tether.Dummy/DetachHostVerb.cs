using System.Globalization;
using Tether;

namespace DummyProgram;

/// <summary>
/// <c>detach-host OUTFILE</c>: the owner in the detached-run spec. It starts a detached <c>sleep</c> (stdout appended to
/// OUTFILE) and a contained one, prints <c>detached PID</c>, <c>contained PID</c> and <c>ready</c>, and waits to be
/// killed. Like <c>host</c>, it leaves when its stdin closes.
/// </summary>
internal static class DetachHostVerb
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 1)
        {
            Output.Stderr.WriteLine("usage: detach-host OUTFILE");
            return 64;
        }

        var detached = await ProcessRunner.Default.StartDetachedAsync(
            new Command("/bin/sh").WithArguments("-c", "echo started; exec sleep 600"), stdoutPath: args[0]);
        var contained = await ProcessRunner.Default.StartAsync(new Command("/bin/sh").WithArguments("-c", "exec sleep 600"));
        await using (contained)
        {
            Output.Stdout.WriteLine($"detached {detached.Pid.ToString(CultureInfo.InvariantCulture)}");
            Output.Stdout.WriteLine($"contained {contained.Pid.ToString(CultureInfo.InvariantCulture)}");
            Output.Stdout.WriteLine("ready");

            using var stdin = Console.OpenStandardInput();
            await stdin.CopyToAsync(Stream.Null);
        }

        return 0;
    }
}
