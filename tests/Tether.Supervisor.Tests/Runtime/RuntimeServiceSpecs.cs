using static Tether.Supervisor.Tests.Runtime.SupervisedProject;

namespace Tether.Supervisor.Tests.Runtime;

/// <summary>The supervisor on real processes: start order, environment, restarts the journal explains, clean stops.</summary>
public sealed class RuntimeServiceSpecs
{
    [Fact]
    public async Task Services_start_in_dependency_order_with_their_name_and_instance_in_the_environment()
    {
        await using var project = await StartAsync(
            Shell("web", "echo \"web is $TETHER_SERVICE $TETHER_INSTANCE\"; exec sleep 300") with
            {
                DependsOn = [new Dependency("db", DependencyCondition.Ready)],
            },
            Shell("db", "echo \"db is $TETHER_SERVICE $TETHER_INSTANCE $GREETING\"; exec sleep 300") with
            {
                Environment = new Dictionary<string, string> { ["GREETING"] = "hello" },
            });

        await project.WaitForStateAsync("web", ServiceState.Ready);
        Assert.Equal(["db", "web"], project.All<SupervisorDecision.StartInstance>().Select(s => s.Instance.Service));
        await project.WaitUntilAsync(() => project.Supervisor.Logs(["db", "web"], 10).Count == 2, "both services printed a line");
        Assert.Equal(["db is db 0 hello", "web is web 0"], project.Supervisor.Logs([], 10).Select(l => l.Text).Order(StringComparer.Ordinal));
        Assert.NotNull(project.Status("db").Pid);

        Assert.Equal(0, await project.ShutdownAsync());
        var stops = project.All<SupervisorDecision.StopInstance>().Select(s => s.Instance.Service).ToList();
        Assert.Equal(["web", "db"], stops);
        Assert.Equal(ServiceState.Stopped, project.Decisions.OfType<SupervisorDecision.StateChanged>().Last(c => c.Instance.Service == "db").To);
    }

    [Fact]
    public async Task A_crashed_service_is_restarted_and_the_journal_explains_the_restart()
    {
        await using var project = await StartAsync(Shell("worker", "echo starting; exit 3") with
        {
            StartLimit = new StartLimit(2, TimeSpan.FromMinutes(1)),
        });

        await project.WaitForStateAsync("worker", ServiceState.Failed);
        Assert.Equal(3, project.Starts("worker"));
        Assert.Equal(0, await project.ShutdownAsync());

        var journal = await project.JournalAsync();
        var exits = journal.Where(r => r.Type == "service.exited" && r.Job == "worker#0").ToList();
        Assert.Equal(3, exits.Count);
        Assert.All(exits, exit => Assert.Equal(3, exit.Data!.Value.GetProperty("code").GetInt32()));
        var restarts = journal.Where(r => r.Type == "service.restart_scheduled").ToList();
        Assert.Equal(2, restarts.Count);
        Assert.All(restarts, restart => Assert.Contains("exit 3", restart.Data!.Value.GetProperty("reason").GetString(), StringComparison.Ordinal));
        Assert.Contains(journal, r => r.Type == "service.gave_up" && r.Job == "worker#0");
        Assert.Contains(journal, r => r.Type == "supervisor.started" && r.Data!.Value.GetProperty("seed").GetString() == "7");
        Assert.Equal("supervisor.stopped", journal[^1].Type);
    }

    [Fact]
    public async Task A_service_whose_port_is_taken_is_given_up_with_the_reason_and_its_own_words_in_its_log()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var project = await StartAsync(new ServiceDefinition
        {
            Name = "web",
            Command = new ServiceCommand.Exec(["python3", "-m", "http.server", port, "--bind", "127.0.0.1"]),
            StartLimit = new StartLimit(1, TimeSpan.FromMinutes(1)),
            Backoff = new RestartBackoff(TimeSpan.FromMilliseconds(50), 2, TimeSpan.FromSeconds(1), 0, TimeSpan.FromSeconds(30)),
        });

        await project.WaitForStateAsync("web", ServiceState.Failed);

        var status = project.Status("web");
        Assert.StartsWith("exit 1; gave up after 1 restart within 1m (start_limit)", status.Reason, StringComparison.Ordinal);
        await project.WaitUntilAsync(
            () => project.Supervisor.Logs(["web"], 100).Any(l => l.Text.Contains("Address already in use", StringComparison.Ordinal)),
            "the service's own error reached its log");
        Assert.Equal(0, await project.ShutdownAsync());
    }

    [Fact]
    public async Task A_program_that_does_not_exist_is_reported_as_a_failed_start_with_the_reason()
    {
        await using var project = await StartAsync(new ServiceDefinition
        {
            Name = "ghost",
            Command = new ServiceCommand.Exec(["/nonexistent/tether-ghost-program"]),
            Restart = RestartPolicy.No,
        });

        await project.WaitUntilAsync(() => project.Status("ghost").State is ServiceState.Exited or ServiceState.Failed, "ghost ended");
        Assert.Contains("tether-ghost-program", project.Status("ghost").Reason, StringComparison.Ordinal);
        Assert.Equal(0, await project.ShutdownAsync());
        var journal = await project.JournalAsync();
        Assert.Contains(journal, r => r.Type == "service.start_failed" && r.Data!.Value.GetProperty("reason").GetString()!.Contains("tether-ghost-program", StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_process_of_any_service_is_left_after_DisposeAsync_not_even_a_backgrounded_grandchild()
    {
        var project = await StartAsync(
            Shell("tree", "sleep 300 & echo \"child $!\"; exec sleep 300"),
            Shell("stubborn", "trap '' TERM; echo ready; while true; do sleep 1; done") with { Stop = new StopPolicy(Signal.Terminate, TimeSpan.FromMinutes(5)) });
        List<TrackedProcess> processes;
        try
        {
            // A line can reach the log before the engine has taken in the start that made its pid known.
            await project.WaitUntilAsync(() => project.Supervisor.Logs(["tree", "stubborn"], 10).Count == 2 && project.Status("tree").Pid is not null && project.Status("stubborn").Pid is not null, "both services printed");
            var child = int.Parse(project.Supervisor.Logs(["tree"], 1)[0].Text["child ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            processes = [TrackedProcess.Of(child), TrackedProcess.Of(project.Status("tree").Pid!.Value), TrackedProcess.Of(project.Status("stubborn").Pid!.Value)];
        }
        finally
        {
            await project.DisposeAsync();
        }

        Assert.Empty(await ProcessTable.WaitUntilGoneAsync(processes));
        Assert.True(project.Supervisor.Completion.IsCompleted);
    }

    [Fact]
    public async Task Operator_commands_for_an_unknown_service_are_refused_in_one_line()
    {
        await using var project = await StartAsync(Shell("web", "exec sleep 300"));
        var refused = await Assert.ThrowsAsync<SupervisorCommandException>(() => project.Supervisor.CommandAsync(OperatorAction.Restart, "wbe", 0, CancellationToken.None));
        Assert.Contains("'wbe'", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
        Assert.Throws<SupervisorCommandException>(() => project.Supervisor.Logs(["wbe"], 10));
    }

    [Fact]
    public async Task Stop_and_start_through_the_control_api_act_on_the_running_service()
    {
        await using var project = await StartAsync(Shell("web", "exec sleep 300"));
        await project.WaitForStateAsync("web", ServiceState.Ready);
        var pid = project.Status("web").Pid!.Value;
        var first = TrackedProcess.Of(pid);

        await project.Supervisor.CommandAsync(OperatorAction.Stop, "web", 0, CancellationToken.None);
        await project.WaitForStateAsync("web", ServiceState.Stopped);
        Assert.Empty(await ProcessTable.WaitUntilGoneAsync([first]));

        await project.Supervisor.CommandAsync(OperatorAction.Start, "web", 0, CancellationToken.None);
        await project.WaitForStateAsync("web", ServiceState.Ready);
        Assert.NotEqual(pid, project.Status("web").Pid);
    }

    [Fact]
    public async Task A_reload_of_an_invalid_file_is_refused_and_the_running_set_keeps_running()
    {
        await using var project = await StartAsync(
            options => options with
            {
                Reread = () => throw new ConfigurationException([new ConfigurationError("tether.yaml", 3, 5, "unknown key 'comand' in service 'web' (did you mean 'command'?)")]),
            },
            Shell("web", "exec sleep 300"));
        await project.WaitForStateAsync("web", ServiceState.Ready);
        var pid = project.Status("web").Pid;

        var refused = await Assert.ThrowsAsync<SupervisorCommandException>(() => project.Supervisor.ReloadAsync(CancellationToken.None));
        Assert.StartsWith("tether.yaml:3:5: unknown key 'comand'", refused.Message, StringComparison.Ordinal);
        Assert.Equal(ServiceState.Ready, project.Status("web").State);
        Assert.Equal(pid, project.Status("web").Pid);
    }

    [Fact]
    public async Task A_reload_restarts_what_changed_and_starts_what_is_new()
    {
        var web = Shell("web", "exec sleep 300");
        var next = web;
        await using var project = Create();
        await project.StartSupervisorAsync(options => options with { Reread = () => new ServiceSet(project.Directory, [next, Shell("cache", "exec sleep 301")]) }, web);
        await project.WaitForStateAsync("web", ServiceState.Ready);

        next = web with { Command = new ServiceCommand.Shell("exec sleep 302") };
        var report = await project.Supervisor.ReloadAsync(CancellationToken.None);

        Assert.Equal(["cache"], report.Added);
        Assert.Equal(["web"], report.Restarted);
        await project.WaitForStateAsync("cache", ServiceState.Ready);
        await project.WaitUntilAsync(() => project.Starts("web") == 2 && project.Status("web").State == ServiceState.Ready, "web restarted with its new command");
        var journal = project.Decisions;
        Assert.Contains(journal, d => d is SupervisorDecision.StopInstance { Cause: StopCause.Reload });
    }

    [Fact]
    public async Task A_second_supervisor_for_the_same_directory_is_refused_naming_the_running_one()
    {
        await using var project = await StartAsync(Shell("web", "exec sleep 300"));

        var refused = await Assert.ThrowsAsync<SupervisorAlreadyRunningException>(() => Supervisor.StartAsync(
            new SupervisorOptions { Services = new ServiceSet(project.Directory, [Shell("web", "exec sleep 300")]) }, CancellationToken.None));

        Assert.Equal(Environment.ProcessId, refused.Pid);
        Assert.Contains($"pid {Environment.ProcessId}", refused.Message, StringComparison.Ordinal);
        Assert.Contains("tether down", refused.Message, StringComparison.Ordinal);
        var mode = File.GetUnixFileMode(project.StateDirectory);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, mode);
    }

    [Fact]
    public async Task The_journal_never_holds_an_environment_value_or_a_secret_argument()
    {
        await using var project = await StartAsync(new ServiceDefinition
        {
            Name = "api",
            Command = new ServiceCommand.Exec(["/bin/sh", "-c", "exec sleep 300", "sh", "--password=hunter2"]),
            Environment = new Dictionary<string, string> { ["DATABASE_URL"] = "postgres://app:s3cr3t-value@db/app" },
        });
        await project.WaitForStateAsync("api", ServiceState.Ready);
        Assert.Equal(0, await project.ShutdownAsync());

        var journal = await project.JournalAsync();
        var text = string.Join('\n', journal.Select(r => r.Data?.GetRawText()));
        Assert.Contains("--password=***", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-value", text, StringComparison.Ordinal);
    }
}
