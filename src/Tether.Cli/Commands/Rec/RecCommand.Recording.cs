using System.CommandLine;
using System.Globalization;
using Tether.Sessions;
using CliCommand = System.CommandLine.Command;

namespace Tether.Cli.Commands.Rec;

/// <summary><c>tether rec init | start | stop | status</c>: the hooks, and starting and ending a shell's recording.</summary>
internal sealed partial class RecCommand
{
    partial void AddRecordingVerbs(CliCommand rec)
    {
        rec.Subcommands.Add(BuildRecordingInit());
        rec.Subcommands.Add(BuildRecordingStart());
        rec.Subcommands.Add(BuildRecordingStop());
        rec.Subcommands.Add(BuildRecordingStatus());
    }

    private CliCommand BuildRecordingInit()
    {
        var shell = new Argument<string>("SHELL") { Description = "bash, zsh or fish." };
        var init = new CliCommand("init", "Print the shell hooks that record commands; eval them in your shell's startup file.") { shell };
        init.SetAction(parse =>
        {
            var name = parse.GetValue(shell) ?? "";
            if (!ShellHooks.TryParse(name, out var kind))
            {
                throw new UsageException($"rec init: '{name}' is not a shell with recording hooks: write bash, zsh or fish, as in 'tether rec init bash'.");
            }

            string script;
            try
            {
                script = ShellHooks.Script(kind, RecordingDirectory.ResolvePath());
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                return RecordingVerbFail($"rec init: {e.Message}");
            }

            Console.Out.Write(script);
            Console.Out.Flush();
            return ExitCodes.Success;
        });
        Page(init, "bash|zsh|fish", """
            Prints a script that defines the hooks and a 'tether' shell function. Load it from your shell's
            startup file; nothing is recorded until 'tether rec start'.

            Examples:
              eval "$(tether rec init bash)"        # in ~/.bashrc
              eval "$(tether rec init zsh)"         # in ~/.zshrc
              tether rec init fish | source         # in ~/.config/fish/config.fish

            """);
        return init;
    }

    private CliCommand BuildRecordingStart()
    {
        var name = new Argument<string?>("NAME")
        {
            Description = "The session's name [default: session-YYYY-MM-DD-HHMMSS].",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var start = new CliCommand("start", "Start recording this shell's commands.") { name };
        start.SetAction(parse => RecordingStart(parse.GetValue(name)));
        Page(start, "[NAME]", """
            Records every command this shell runs from the next one on, until 'tether rec stop'. One recording
            per shell; recordings of shells that died are saved as recovered-… first.

            Exit codes: 0 recording; 1 already recording, the name is taken, or the shell cannot be told.

            Examples:
              tether rec start
              tether rec start deploy-staging

            """);
        return start;
    }

    private CliCommand BuildRecordingStop()
    {
        var stop = new CliCommand("stop", "Stop recording this shell and save the session.");
        stop.SetAction(_ => RecordingStop());
        Page(stop, "", """
            Saves the recording and prints the session's name and how many commands it holds.

            Exit codes: 0 saved; 1 this shell is not recording, or the session could not be saved (the shell
            then goes on recording).

            """);
        return stop;
    }

    private CliCommand BuildRecordingStatus()
    {
        var json = new Option<bool>("--json") { Description = "Print the status as one JSON line." };
        var status = new CliCommand("status", "Tell whether this shell is recording, under which name, and how many commands so far.") { json };
        status.SetAction(parse => RecordingStatus(parse.GetValue(json)));
        Page(status, "[--json]", """
            Exit codes: 0 (recording or not: the output says which); 1 the recording state cannot be read.

            With --json: {"recording":true,"name":…,"id":…,"shell":…,"shell_pid":…,"started":…,"commands":N}
            or {"recording":false,"shell_pid":…}.

            """);
        return status;
    }

    private int RecordingStart(string? name)
    {
        try
        {
            var shell = RecordingShell.FromEnvironment();
            if (shell.Shell is null)
            {
                return RecordingVerbFail($"rec start: cannot tell which shell to record (pid {shell.Pid} is not bash, zsh or fish): load the hooks with 'eval \"$(tether rec init bash)\"' and run 'tether rec start' through them.");
            }

            var recorder = new Recorder(SessionStore.Open());
            foreach (var stale in recorder.RecoverStale())
            {
                ReportRecoveredRecording(stale);
            }

            var active = recorder.Start(shell.Pid, name, shell.Shell);
            Console.Out.WriteLine($"Recording '{TerminalText.Printable(active.Name)}' ({active.Shell}, pid {active.ShellPid.ToString(CultureInfo.InvariantCulture)}); stop with 'tether rec stop'.");
            Console.Out.Flush();
            return ExitCodes.Success;
        }
        catch (Exception e) when (IsRecordingError(e))
        {
            return RecordingVerbFail($"rec start: {e.Message}");
        }
    }

    private int RecordingStop()
    {
        try
        {
            var shell = RecordingShell.FromEnvironment();
            var saved = new Recorder(SessionStore.Open()).Stop(shell.Pid);
            foreach (var problem in saved.Problems)
            {
                Console.WriteError($"rec stop: skipped an unreadable spool line: {problem}");
            }

            Console.Out.WriteLine($"Saved '{TerminalText.Printable(saved.Name)}': {RecordingCommandCount(saved.CommandCount)}.");
            Console.Out.Flush();
            return ExitCodes.Success;
        }
        catch (Exception e) when (IsRecordingError(e))
        {
            return RecordingVerbFail($"rec stop: {e.Message}");
        }
    }

    private int RecordingStatus(bool json)
    {
        try
        {
            var shell = RecordingShell.FromEnvironment();
            var active = new Recorder(SessionStore.Open()).Status(shell.Pid);
            if (json)
            {
                Console.Out.WriteLine(JsonLine.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteBoolean("recording", active is not null);
                    if (active is not null)
                    {
                        writer.WriteString("name", active.Name);
                        writer.WriteString("id", active.Id);
                        writer.WriteString("shell", active.Shell);
                        writer.WriteNumber("shell_pid", active.ShellPid);
                        writer.WriteString("started", active.Started.ToString("O", CultureInfo.InvariantCulture));
                        writer.WriteNumber("commands", active.CommandCount);
                    }
                    else
                    {
                        writer.WriteNumber("shell_pid", shell.Pid);
                    }

                    writer.WriteEndObject();
                }));
            }
            else if (active is null)
            {
                Console.Out.WriteLine($"Not recording (shell pid {shell.Pid.ToString(CultureInfo.InvariantCulture)}).");
            }
            else
            {
                Console.Out.WriteLine($"Recording '{TerminalText.Printable(active.Name)}' ({active.Shell}, pid {active.ShellPid.ToString(CultureInfo.InvariantCulture)}) since {active.Started.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}: {RecordingCommandCount(active.CommandCount)} so far.");
            }

            Console.Out.Flush();
            return ExitCodes.Success;
        }
        catch (Exception e) when (IsRecordingError(e))
        {
            return RecordingVerbFail($"rec status: {e.Message}");
        }
    }

    private void ReportRecoveredRecording(StaleRecording stale)
    {
        var pid = stale.ShellPid.ToString(CultureInfo.InvariantCulture);
        switch (stale.Outcome)
        {
            case StaleOutcome.Saved:
                Console.WriteError($"rec: the recording of shell {pid}, which is gone, was saved as '{TerminalText.Printable(stale.Saved!.Name)}' ({RecordingCommandCount(stale.Saved.CommandCount)}).");
                break;
            case StaleOutcome.Failed:
                Console.WriteError($"rec: the recording of shell {pid}, which is gone, could not be saved: {stale.Error}");
                break;
            default:
                break;
        }
    }

    /// <summary>The errors of recording that are the user's to fix: reported in one line, exit 1.</summary>
    private static bool IsRecordingError(Exception e) =>
        e is RecordingException or ArgumentException or SessionExistsException or SessionFormatException
            or SessionAmbiguousException or IOException or UnauthorizedAccessException or InvalidOperationException;

    private static string RecordingCommandCount(int count) =>
        count == 1 ? "1 command" : count.ToString(CultureInfo.InvariantCulture) + " commands";

    private int RecordingVerbFail(string message)
    {
        Console.WriteError(message);
        return ExitCodes.Failure;
    }
}
