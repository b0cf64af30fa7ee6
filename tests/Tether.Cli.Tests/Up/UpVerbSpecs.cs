using Tether.Cli.Tests.Infrastructure;
using Tether.Supervisor;
using Tether.Supervisor.Tests.Control;

namespace Tether.Cli.Tests.Up;

/// <summary>
/// The supervisor verbs in-process: <c>up --check</c> reports every error with its position, and the control verbs show
/// a fake supervisor's answers, say when none runs, and refuse what they cannot send.
/// </summary>
public sealed class UpVerbSpecs : IAsyncLifetime
{
    private readonly string _project = Path.Combine(Path.GetTempPath(), "tuv-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly FakeSupervisorControl _control = new();
    private ControlServer? _server;

    private string Yaml => Path.Combine(_project, "tether.yaml");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_project);
        File.WriteAllText(Yaml, "services:\n  web:\n    command: [sleep, \"1000\"]\n");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Directory.Delete(_project, recursive: true);
    }

    [Fact]
    public async Task Check_accepts_a_valid_file_without_starting_anything()
    {
        var result = await Tool.RunAsync("up", "--check", "-f", Yaml);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("valid", result.Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_project, ".tether")));
    }

    [Fact]
    public async Task Check_lists_every_error_with_file_line_and_column_and_exits_2()
    {
        File.WriteAllText(Yaml, "services:\n  web:\n    comand: [sleep, \"1\"]\n  db:\n    command: [sleep, \"1\"]\n    restart: sometimes\n");

        var result = await Tool.RunAsync("up", "--check", "-f", Yaml);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(result.StderrLines, l => l.StartsWith(Yaml + ":3:5: ", StringComparison.Ordinal) && l.Contains("command", StringComparison.Ordinal));
        Assert.Contains(result.StderrLines, l => l.StartsWith(Yaml + ":6:", StringComparison.Ordinal));
        Assert.StartsWith("tether: up: ", result.StderrLines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_example_stack_in_the_readme_is_valid_on_this_host()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Tether.slnx")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("The specs run outside the repository.");
        }

        var result = await Tool.RunAsync("up", "--check", "-f", Path.Combine(root, "examples", "stack", "tether.yaml"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("3 services", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_prints_one_row_per_instance_with_replicas_numbered()
    {
        Listen();

        var result = await Tool.RunAsync("status", "-f", Yaml);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StdoutLines;
        Assert.Equal(["SERVICE", "STATE", "PID", "UPTIME", "RESTARTS", "HEALTH", "LAST", "EXIT", "REASON"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("db ", lines[1], StringComparison.Ordinal);
        Assert.Contains("web#0", lines[2], StringComparison.Ordinal);
        Assert.Contains("7s", lines[2], StringComparison.Ordinal);
        Assert.Contains("exit 1", lines[2], StringComparison.Ordinal);
        Assert.Contains("restarting", lines[3], StringComparison.Ordinal);
        Assert.Contains("signal SIG", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_verb_where_no_supervisor_runs_says_so_in_one_line()
    {
        var result = await Tool.RunAsync("restart", "web", "-f", Yaml);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no supervisor runs here", result.SingleErrorLine(), StringComparison.Ordinal);
        Assert.Contains("tether up", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_service_is_named_in_the_error()
    {
        Listen();

        var result = await Tool.RunAsync("stop", "nope", "-f", Yaml);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("'nope'", result.SingleErrorLine(), StringComparison.Ordinal);
        Assert.Empty(_control.Commands);
    }

    [Theory]
    [InlineData("web")]
    [InlineData("web=")]
    [InlineData("=2")]
    [InlineData("web=-1")]
    [InlineData("web=two")]
    public async Task Scale_refuses_what_is_not_name_equals_number(string target)
    {
        Listen();

        var result = await Tool.RunAsync("scale", target, "-f", Yaml);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("NAME=N", result.SingleErrorLine(), StringComparison.Ordinal);
        Assert.Empty(_control.Commands);
    }

    [Fact]
    public async Task Scale_and_restart_send_one_command_per_name()
    {
        Listen();

        var scaled = await Tool.RunAsync("scale", "web=3", "db=0", "-f", Yaml);
        var restarted = await Tool.RunAsync("restart", "web", "db", "-f", Yaml);

        Assert.True(scaled.ExitCode == 0 && restarted.ExitCode == 0, scaled + "\n" + restarted);
        Assert.Equal([(OperatorAction.Scale, "web", 3), (OperatorAction.Scale, "db", 0), (OperatorAction.Restart, "web", 0), (OperatorAction.Restart, "db", 0)], _control.Commands);
    }

    [Fact]
    public async Task Logs_prefix_each_line_with_its_instance()
    {
        _control.Backlog.Add(new LogLine(FakeSupervisorControl.Started, new InstanceId("web", 1), LogStream.Stderr, "oops"));
        _control.Backlog.Add(new LogLine(FakeSupervisorControl.Started, new InstanceId("db", 0), LogStream.Stdout, "ready to accept connections"));
        Listen();

        var result = await Tool.RunAsync("logs", "--file", Yaml);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["web#1    ! oops", "db       | ready to accept connections"], result.StdoutLines);
    }

    [Fact]
    public async Task A_reload_of_an_invalid_file_fails_with_the_error_line()
    {
        _control.Reload = () => throw new SupervisorCommandException("tether.yaml:3:5: unknown key 'comand' in service 'web' (did you mean 'command'?)");
        Listen();

        var result = await Tool.RunAsync("reload", "-f", Yaml);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("tether: reload: tether.yaml:3:5: unknown key 'comand' in service 'web' (did you mean 'command'?)", result.SingleErrorLine());
    }

    private void Listen() => _server = ControlServer.Listen(_control, ControlSocket.ForProject(_project));
}
