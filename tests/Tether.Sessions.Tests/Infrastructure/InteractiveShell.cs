using System.Globalization;
using System.Text.RegularExpressions;

namespace Tether.Sessions.Tests;

/// <summary>
/// A real interactive shell with Tether's recording hooks loaded, driven line by line: bash and zsh read their input
/// from a pipe (<c>-i</c> keeps them interactive, line editor included); fish, which runs its hooks only at a
/// terminal, gets a pseudo-terminal from <c>script</c>. Every prompt prints <c>tether-spec-prompt N</c> to stdout
/// (from a prompt hook that runs after Tether's), so a spec knows when a command line — hooks included — is done.
/// The process tree is killed on dispose, whatever happened.
/// </summary>
internal sealed partial class InteractiveShell : IAsyncDisposable
{
    private readonly RunningProcess _process;
    private int _prompts;

    private InteractiveShell(ShellKind kind, RunningProcess process)
    {
        Kind = kind;
        _process = process;
    }

    public ShellKind Kind { get; }

    /// <summary>The shell's own pid (<c>$$</c>, <c>$fish_pid</c>): what a recording is keyed by.</summary>
    public int Pid { get; private set; }

    /// <summary>The hooks' name for this shell, <c>PID-STARTTIME</c>: the stem of its state files.</summary>
    public string Key { get; private set; } = "";

    public string Name => ShellHooks.NameOf(Kind);

    /// <summary>
    /// Starts the shell in <paramref name="sandbox"/>'s root with a clean home, loads the hooks for the sandbox's state
    /// directory (after the <paramref name="before"/> lines), and waits until it is ready. With a
    /// <paramref name="straceLog"/>, the shell runs under <c>strace -f</c>, which logs there the system calls that
    /// create processes.
    /// </summary>
    public static async Task<InteractiveShell> StartAsync(ShellKind kind, RecordingSandbox sandbox, IEnumerable<string>? before = null, string? straceLog = null)
    {
        var hookFile = Path.Combine(sandbox.Root, "hooks." + ShellHooks.NameOf(kind));
        await File.WriteAllTextAsync(hookFile, ShellHooks.Script(kind, sandbox.StateDirectory));

        string[] shell = kind switch
        {
            ShellKind.Bash => ["bash", "--norc", "--noprofile", "-i"],
            ShellKind.Zsh => ["zsh", "-f", "-i"],
            // -e: script's status is fish's; the typescript goes nowhere. script runs the command with $SHELL -c.
            _ => ["script", "-qfec", "fish -i", "/dev/null"],
        };
        string[] traced = straceLog is null ? shell : ["strace", "-f", "-qq", "-e", "trace=clone,clone3,fork,vfork", "-o", straceLog, .. shell];

        var command = new Command(traced[0])
            .WithArguments(traced[1..])
            .WithWorkingDirectory(sandbox.Root)
            .WithStdin(StandardInput.Interactive)
            .WithEnvironmentVariable("HOME", sandbox.Home)
            .WithEnvironmentVariable("HISTFILE", Path.Combine(sandbox.Home, ".history"))
            .WithEnvironmentVariable("XDG_CONFIG_HOME", Path.Combine(sandbox.Home, ".config"))
            .WithEnvironmentVariable("XDG_DATA_HOME", Path.Combine(sandbox.Home, ".local", "share"))
            .WithEnvironmentVariable("LC_ALL", "C.UTF-8")
            .WithEnvironmentVariable("TERM", kind == ShellKind.Fish ? "xterm" : "dumb")
            .WithEnvironmentVariable("SHELL", "/bin/sh")
            .WithEnvironmentVariable("PATH", sandbox.Bin + ":" + Environment.GetEnvironmentVariable("PATH"))
            .WithoutEnvironmentVariable("HISTCONTROL")
            .WithoutEnvironmentVariable("HISTIGNORE")
            .WithoutEnvironmentVariable("PROMPT_COMMAND")
            .WithoutEnvironmentVariable("PS0")
            .WithoutEnvironmentVariable(RecordingDirectory.DirectoryVariable)
            .WithoutEnvironmentVariable(ShellHooks.PromptVariable);
        var process = await ProcessRunner.Default.StartAsync(command);
        var session = new InteractiveShell(kind, process);
        try
        {
            foreach (var line in before ?? [])
            {
                await session.SendAsync(line + "\n");
            }

            await session.SendAsync((kind == ShellKind.Fish ? "source " : ". ") + Quoted(hookFile) + "\n");
            await session.SendAsync(kind switch
            {
                // After Tether's hooks, so the marker means they are done too. Builtins only: the specs count processes.
                ShellKind.Bash => "PROMPT_COMMAND+=$'\\n''(( ++__spec_n )); echo \"tether-spec-prompt $__spec_n\"'\n",
                ShellKind.Zsh => "__spec_prompt() { (( ++__spec_n )); print -r -- \"tether-spec-prompt $__spec_n\" }; precmd_functions+=(__spec_prompt)\n",
                _ => "set -g __spec_n 0; function __spec_prompt --on-event fish_prompt; set -g __spec_n (math $__spec_n + 1); echo \"tether-spec-prompt $__spec_n\"; end\n",
            });
            session._prompts = 1;

            // The typed text says "rea""dy", the output "ready": a terminal's echo of the line never matches.
            await session.SendAsync($"echo \"rea\"\"dy {(kind == ShellKind.Fish ? "$fish_pid" : "$$")} $__tether_rec_key\"\n");
            var ready = ReadyLine().Match(await process.WaitForLineAsync(l => ReadyLine().IsMatch(l), Bounds.Eventually, OutputStreams.Stdout));
            session.Pid = int.Parse(ready.Groups[1].Value, CultureInfo.InvariantCulture);
            session.Key = ready.Groups[2].Value;
            await session.WaitForPromptAsync();
            return session;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    [GeneratedRegex(@"ready (\d+) (\d+-\d+)")]
    private static partial Regex ReadyLine();

    [GeneratedRegex(@"tether-spec-prompt (\d+)")]
    private static partial Regex PromptLine();

    /// <summary>Types <paramref name="text"/> as is (a line needs its <c>\n</c>).</summary>
    public async Task SendAsync(string text) => await _process.WriteStdinAsync(text);

    /// <summary>Types a command line (which may span lines) and waits until it ran and the next prompt is drawn.</summary>
    public async Task RunAsync(string line)
    {
        await SendAsync(line + "\n");
        await WaitForPromptAsync();
    }

    /// <summary>Types command lines and waits until all of them ran.</summary>
    public async Task RunAllAsync(IReadOnlyCollection<string> lines)
    {
        await SendAsync(string.Concat(lines.Select(l => l + "\n")));
        _prompts += lines.Count - 1;
        await WaitForPromptAsync();
    }

    /// <summary>Waits for the next prompt (after a line typed with <see cref="SendAsync"/>).</summary>
    public async Task WaitForPromptAsync()
    {
        var expected = ++_prompts;
        await _process.WaitForLineAsync(
            l => PromptLine().Match(l) is { Success: true } m && int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) == expected,
            Bounds.Eventually,
            OutputStreams.Stdout);
    }

    /// <summary>Waits for a line of the shell's output that matches.</summary>
    public Task<string> WaitForOutputAsync(Func<string, bool> predicate) => _process.WaitForLineAsync(predicate, Bounds.Eventually, OutputStreams.Stdout);

    /// <summary>SIGKILLs the shell itself (not its children) and waits until it is dead.</summary>
    public async Task KillAsync()
    {
        var shell = ShellProcess.TryFind(Pid) ?? throw new InvalidOperationException($"The {Name} (pid {Pid}) is already gone.");
        using (var handle = System.Diagnostics.Process.GetProcessById(Pid))
        {
            handle.Kill();
        }

        Assert.True(await Bounds.EventuallyAsync(() => !shell.IsAlive), $"The {Name} (pid {Pid}) survived SIGKILL.");
    }

    /// <summary>Types <c>exit</c> and waits for the shell (and what wraps it) to end.</summary>
    public async Task ExitAsync()
    {
        await SendAsync("exit\n");
        await _process.WaitAsync().Soon();
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static string Quoted(string path) => "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
