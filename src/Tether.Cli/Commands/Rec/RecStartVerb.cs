using System.CommandLine;
using System.Globalization;
using Tether.Sessions;

namespace Tether.Cli.Commands;

/// <summary><c>tether rec start [NAME]</c>: starts recording this shell's commands.</summary>
internal sealed class RecStartVerb : RecVerb
{
    private const string Usage = "[NAME]";

    private const string Notes = """
        Records every command this shell runs from the next one on, until 'tether rec stop'. One recording
        per shell; recordings of shells that died are saved first, under their names, marked recovered.

        The shell must have loaded the recording hooks (see 'tether rec init'); in a shell without them
        nothing could be recorded, so start refuses and says how to load them.

        Exit codes: 0 recording; 1 already recording, the name is taken, the shell cannot be told, or it
        has not loaded the hooks.

        Examples:
          tether rec start
          tether rec start deploy-staging

        """;

    public RecStartVerb(VerbContext context)
        : base(context, "start", "Start recording this shell's commands.", Usage, Notes)
    {
        var name = new Argument<string?>("NAME")
        {
            Description = "The session's name [default: session-YYYY-MM-DD-HHMMSS].",
            Arity = ArgumentArity.ZeroOrOne,
        };
        Add(name);
        SetAction(parse => Start(parse.GetValue(name)));
    }

    private int Start(string? name)
    {
        try
        {
            var shell = RecordingShell.FromEnvironment();
            if (shell.Shell is null)
            {
                return Fail($"rec start: cannot tell which shell to record (pid {shell.Pid} is not bash, zsh or fish): load the hooks with 'eval \"$(tether rec init bash)\"' and run 'tether rec start' through them.");
            }

            if (!shell.HooksLoaded)
            {
                // Recording a shell without hooks would say "Recording" and save nothing.
                return Fail($"rec start: this {shell.Shell} (pid {shell.Pid.ToString(CultureInfo.InvariantCulture)}) has not loaded the recording hooks, so nothing would be recorded: run {LoadHooks(shell.Shell)} (and add it to {StartupFile(shell.Shell)}), then 'tether rec start' again.");
            }

            var recorder = new Recorder(SessionStore.Open());
            foreach (var stale in recorder.RecoverStale())
            {
                ReportRecoveredRecording(stale);
            }

            var active = recorder.Start(shell.Pid, name, shell.Shell);
            Console.Out.WriteLine($"Recording '{Printable(active.Name)}' ({active.Shell}, pid {active.ShellPid.ToString(CultureInfo.InvariantCulture)}); stop with 'tether rec stop'.");
            Console.Out.Flush();
            return ExitCodes.Success;
        }
        catch (Exception e) when (IsRecordingError(e))
        {
            return Fail($"rec start: {Printable(Cause(e))}");
        }
    }

    private static string LoadHooks(string shell) => shell == "fish" ? "'tether rec init fish | source'" : $"'eval \"$(tether rec init {shell})\"'";

    private static string StartupFile(string shell) => shell switch
    {
        "fish" => "~/.config/fish/config.fish",
        "zsh" => "~/.zshrc",
        _ => "~/.bashrc",
    };

    private void ReportRecoveredRecording(StaleRecording stale)
    {
        var pid = stale.ShellPid.ToString(CultureInfo.InvariantCulture);
        switch (stale.Outcome)
        {
            case StaleOutcome.Saved:
                Console.WriteError($"rec: the recording of shell {pid}, which is gone, was saved as '{Printable(stale.Saved!.Name)}' ({Count(stale.Saved.CommandCount, "command")}).");
                break;
            case StaleOutcome.Failed:
                Console.WriteError($"rec: the recording of shell {pid}, which is gone, could not be saved: {stale.Error}");
                break;
            default:
                break;
        }
    }
}
