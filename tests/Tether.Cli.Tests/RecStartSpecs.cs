using Tether.Cli.Tests.Infrastructure;
using Tether.Sessions;

namespace Tether.Cli.Tests;

/// <summary>
/// <c>tether rec start</c> run by a real bash, with and without the recording hooks: a shell that has not loaded them
/// would save nothing, so start refuses and says how to load them.
/// </summary>
public sealed class RecStartSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Start_in_a_bash_without_the_hooks_refuses_and_says_how_to_load_them()
    {
        var result = await InBashAsync($"'{Tool.Executable}' rec start work; exit $?");

        Assert.Equal(1, result.ExitCode);
        var error = result.SingleErrorLine();
        Assert.Contains("has not loaded the recording hooks", error, StringComparison.Ordinal);
        Assert.Contains("eval \"$(tether rec init bash)\"", error, StringComparison.Ordinal);
        Assert.Contains("~/.bashrc", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Recording", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(ActiveRecordings());
    }

    [Fact]
    public async Task Hooks_loaded_by_a_parent_shell_do_not_count_for_a_child_shell()
    {
        // The child inherits the exported marker, which names the parent's pid.
        var result = await InBashAsync($"export {RecordingShell.HooksVariable}=$PPID; '{Tool.Executable}' rec start work; exit $?");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("has not loaded the recording hooks", result.SingleErrorLine(), StringComparison.Ordinal);
        Assert.Empty(ActiveRecordings());
    }

    [Fact]
    public async Task Start_in_a_bash_with_the_hooks_records_even_when_the_function_is_bypassed()
    {
        var tool = $"'{Tool.Executable}'";

        var result = await InBashAsync($"eval \"$({tool} rec init bash)\"; command {tool} rec start work; exit $?");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Recording 'work' (bash", result.Stdout, StringComparison.Ordinal);
        Assert.Single(ActiveRecordings());
    }

    private string[] ActiveRecordings() =>
        Directory.Exists(_temp.Child("state")) ? Directory.GetFiles(_temp.Child("state"), "*.active") : [];

    private Task<CliResult> InBashAsync(string script) => Tool.RunProgramAsync("bash", ["--norc", "--noprofile", "-c", script], new Dictionary<string, string?>
    {
        [SessionStore.DirectoryVariable] = _temp.Child("sessions"),
        [RecordingDirectory.DirectoryVariable] = _temp.Child("state"),
        [RecordingShell.PidVariable] = null,
        [RecordingShell.ShellVariable] = null,
        [RecordingShell.HooksVariable] = null,
    }, _temp.Path, stdin: "");
}
