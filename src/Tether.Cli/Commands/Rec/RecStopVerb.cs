using Tether.Sessions;

namespace Tether.Cli.Commands;

/// <summary><c>tether rec stop</c>: stops recording this shell and saves the session.</summary>
internal sealed class RecStopVerb : RecVerb
{
    private const string Usage = "";

    private const string Notes = """
        Saves the recording and prints the session's name and how many commands it holds.

        Exit codes: 0 saved; 1 this shell is not recording, or the session could not be saved (the shell
        then goes on recording).

        """;

    public RecStopVerb(VerbContext context)
        : base(context, "stop", "Stop recording this shell and save the session.", Usage, Notes)
    {
        SetAction(_ => Stop());
    }

    private int Stop()
    {
        try
        {
            var shell = RecordingShell.FromEnvironment();
            var saved = new Recorder(SessionStore.Open()).Stop(shell.Pid);
            foreach (var problem in saved.Problems)
            {
                Console.WriteError($"rec stop: skipped an unreadable spool line: {problem}");
            }

            Console.Out.WriteLine($"Saved '{Printable(saved.Name)}': {Count(saved.CommandCount, "command")}.");
            Console.Out.Flush();
            return ExitCodes.Success;
        }
        catch (Exception e) when (IsRecordingError(e))
        {
            return Fail($"rec stop: {Printable(Cause(e))}");
        }
    }
}
