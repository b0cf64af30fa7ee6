namespace Tether.Supervisor.Tests.Config;

public sealed class ConfigLoaderSpecs : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public void Every_key_of_a_service_is_read_into_the_model()
    {
        _project.Write("web.env", "# shared settings\nexport LEVEL=info\nQUOTED=\"a b\\n\"\nSINGLE='x $y'\nBARE=plain # comment\nOVERRIDDEN=from-file\n");

        var set = _project.Load("""
            version: 1
            services:
              db:
                command: [postgres, -D, data]
                ready: {tcp: 5432, period: 500ms, timeout: 2s, initial_delay: 1s, success_threshold: 2, failure_threshold: 5}
              migrate:
                shell: ./migrate.sh && echo done
                depends_on: {db: {condition: ready}}
                restart: "no"
              web:
                command: [python3, -m, http.server, "8000"]
                cwd: site
                env: {OVERRIDDEN: inline, PORT: 8000}
                env_file: web.env
                user: www-data
                depends_on:
                  db: {condition: started}
                  migrate: {condition: completed_successfully}
                ready: {http: "http://127.0.0.1:8000/health"}
                live: {exec: [curl, -f, localhost], period: 10s}
                restart: unless-stopped
                ok_exit_codes: [0, 3]
                backoff: {initial: 1s, factor: 3, max: 1m, jitter: 0.5, reset_after: 5m}
                start_limit: {burst: 10, interval: 2m, retry_after: 1h}
                stop: {signal: SIGINT, grace: 1m30s}
                replicas: 3
                limits: {memory: 512M, cpu: 0.5, pids: 100}
                logs: {max_size: 10MiB, keep: 7}
              worker:
                command: worker --queue 'high priority'
                depends_on: [db]
                live: {heartbeat: true, timeout: 30s}
                ready: {log: 'listening on \d+'}
            """);

        Assert.Equal(_project.Path, set.ProjectDirectory);
        Assert.Equal(Path.Combine(_project.Path, "tether.yaml"), set.SourcePath);
        Assert.Equal(["db", "migrate", "web", "worker"], set.Services.Select(service => service.Name));

        var db = set.Find("db")!;
        Assert.Equal(new ServiceCommand.Exec(["postgres", "-D", "data"]).ToArguments(), db.Command.ToArguments());
        Assert.Equal(ProbeKind.Tcp, db.Ready!.Kind);
        Assert.Equal(("127.0.0.1", 5432), (db.Ready.Host, db.Ready.Port));
        Assert.Equal(TimeSpan.FromMilliseconds(500), db.Ready.Period);
        Assert.Equal(TimeSpan.FromSeconds(2), db.Ready.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(1), db.Ready.InitialDelay);
        Assert.Equal((2, 5), (db.Ready.SuccessThreshold, db.Ready.FailureThreshold));

        var migrate = set.Find("migrate")!;
        Assert.Equal(new ServiceCommand.Shell("./migrate.sh && echo done"), migrate.Command);
        Assert.Equal([new Dependency("db", DependencyCondition.Ready)], migrate.DependsOn);
        Assert.Equal(RestartPolicy.No, migrate.Restart);

        var web = set.Find("web")!;
        Assert.Equal(["python3", "-m", "http.server", "8000"], web.Command.ToArguments());
        Assert.Equal(Path.Combine(_project.Path, "site"), web.WorkingDirectory);
        Assert.Equal("inline", web.Environment["OVERRIDDEN"]);
        Assert.Equal("8000", web.Environment["PORT"]);
        Assert.Equal("info", web.Environment["LEVEL"]);
        Assert.Equal("a b\n", web.Environment["QUOTED"]);
        Assert.Equal("x $y", web.Environment["SINGLE"]);
        Assert.Equal("plain", web.Environment["BARE"]);
        Assert.Equal("www-data", web.User);
        Assert.Equal([new Dependency("db", DependencyCondition.Started), new Dependency("migrate", DependencyCondition.CompletedSuccessfully)], web.DependsOn);
        Assert.Equal(new Uri("http://127.0.0.1:8000/health"), web.Ready!.Url);
        Assert.Equal(ProbeKind.Exec, web.Live!.Kind);
        Assert.Equal(["curl", "-f", "localhost"], web.Live.Command!);
        Assert.Equal(TimeSpan.FromSeconds(10), web.Live.Period);
        Assert.Equal(RestartPolicy.UnlessStopped, web.Restart);
        Assert.Equal([0, 3], web.OkExitCodes);
        Assert.Equal(new RestartBackoff(TimeSpan.FromSeconds(1), 3, TimeSpan.FromMinutes(1), 0.5, TimeSpan.FromMinutes(5)), web.Backoff);
        Assert.Equal(new StartLimit(10, TimeSpan.FromMinutes(2), TimeSpan.FromHours(1)), web.StartLimit);
        Assert.Equal(new StopPolicy(Signal.Interrupt, TimeSpan.FromSeconds(90)), web.Stop);
        Assert.Equal(3, web.Replicas);
        Assert.Equal(new ServiceLimits(512L * 1024 * 1024, 0.5, 100), web.Limits);
        Assert.Equal(new LogPolicy(10L * 1024 * 1024, 7), web.Logs);

        var worker = set.Find("worker")!;
        Assert.Equal(["worker", "--queue", "high priority"], worker.Command.ToArguments());
        Assert.Equal([new Dependency("db", DependencyCondition.Started)], worker.DependsOn);
        Assert.Equal(ProbeKind.Heartbeat, worker.Live!.Kind);
        Assert.Equal(TimeSpan.FromSeconds(30), worker.Live.Timeout);
        Assert.Equal(ProbeKind.Log, worker.Ready!.Kind);
        Assert.Equal(@"listening on \d+", worker.Ready.Pattern);
    }

    [Fact]
    public void A_service_that_sets_only_its_command_gets_the_documented_defaults()
    {
        var service = _project.Load("services:\n  web:\n    command: [sleep, \"60\"]\n").Services.Single();
        var defaults = new ServiceDefinition { Name = "web", Command = new ServiceCommand.Exec(["sleep", "60"]) };

        Assert.Equal(defaults.Fingerprint, service.Fingerprint);
        Assert.Equal(defaults.Replicas, service.Replicas);
        Assert.Null(service.WorkingDirectory);
        Assert.Empty(service.Environment);
        Assert.Equal(RestartPolicy.OnFailure, service.Restart);
        Assert.Equal(RestartBackoff.Default, service.Backoff);
        Assert.Equal(StartLimit.Default, service.StartLimit);
        Assert.Equal(StopPolicy.Default, service.Stop);
        Assert.Equal(LogPolicy.Default, service.Logs);
        Assert.True(service.Limits.IsEmpty);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("2s", 2_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("10", 10_000)]
    [InlineData("0.25", 250)]
    public void Durations_are_written_with_a_unit_or_as_plain_seconds(string written, int milliseconds)
    {
        var service = _project.Load($"services:\n  web:\n    command: [x]\n    stop: {{grace: {written}}}\n").Services.Single();

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), service.Stop.Grace);
    }

    [Theory]
    [InlineData("10MiB", 10L << 20)]
    [InlineData("10mib", 10L << 20)]
    [InlineData("512M", 512L << 20)]
    [InlineData("1G", 1L << 30)]
    [InlineData("64K", 64L << 10)]
    [InlineData("1GB", 1_000_000_000L)]
    [InlineData("2000000", 2_000_000L)]
    public void Sizes_are_written_in_bytes_or_with_a_binary_or_decimal_unit(string written, long bytes)
    {
        var service = _project.Load($"services:\n  web:\n    command: [x]\n    logs: {{max_size: {written}}}\n").Services.Single();

        Assert.Equal(bytes, service.Logs.MaxSize);
        if (bytes >= 1 << 20)
        {
            // A memory limit under 1 MiB is refused (see the range specs); the larger sizes read the same there.
            Assert.Equal(bytes, _project.Load($"services:\n  web:\n    command: [x]\n    limits: {{memory: {written}}}\n").Services.Single().Limits.MemoryBytes);
        }
    }

    [Theory]
    [InlineData("SIGTERM", 15)]
    [InlineData("TERM", 15)]
    [InlineData("15", 15)]
    [InlineData("int", 2)]
    [InlineData("HUP", 1)]
    public void Stop_signals_are_written_as_a_name_with_or_without_SIG_or_a_number(string written, int number)
    {
        var service = _project.Load($"services:\n  web:\n    command: [x]\n    stop: {{signal: {written}}}\n").Services.Single();

        Assert.Equal(number, service.Stop.Signal.Number);
    }

    [Fact]
    public void A_one_line_command_without_shell_syntax_is_split_into_words_like_a_shell_would()
    {
        var service = _project.Load("""
            services:
              web:
                command: python3 -m "http.server" 8000 --dir 'my site' a\ b
            """).Services.Single();

        Assert.Equal(["python3", "-m", "http.server", "8000", "--dir", "my site", "a b"], service.Command.ToArguments());
        Assert.IsType<ServiceCommand.Exec>(service.Command);
    }

    [Theory]
    [InlineData("server | tee log", "'|'")]
    [InlineData("server && echo done", "'&'")]
    [InlineData("server > out.log", "'>'")]
    [InlineData("server; echo", "';'")]
    [InlineData("echo $HOME", "'$'")]
    [InlineData("echo `date`", "'`'")]
    [InlineData("ls *.txt", "'*'")]
    [InlineData("FOO=1 server", "a variable assignment")]
    [InlineData("cat ~/notes", "'~'")]
    [InlineData("echo \"$HOME\"", "'$' inside double quotes")]
    public void A_one_line_command_with_shell_syntax_is_refused_with_a_pointer_to_shell(string command, string named)
    {
        var error = Assert.Single(_project.Errors($"services:\n  web:\n    command: '{command.Replace("'", "''", StringComparison.Ordinal)}'\n"));

        Assert.StartsWith("tether.yaml:3:14: service 'web': command", error);
        Assert.Contains(named, error);
        Assert.Contains("shell: \"…\"", error);
    }

    [Fact]
    public void Environment_is_read_from_a_mapping_or_a_list_and_overrides_env_files_in_order()
    {
        _project.Write("a.env", "A=1\nB=1\n");
        _project.Write("b.env", "B=2\nC=2\n");

        var set = _project.Load("""
            services:
              web:
                command: [x]
                env_file: [a.env, b.env]
                env: [C=3, "EMPTY=", "WITH_EQUALS=x=y"]
            """);

        var environment = set.Services.Single().Environment;
        Assert.Equal("1", environment["A"]);
        Assert.Equal("2", environment["B"]);
        Assert.Equal("3", environment["C"]);
        Assert.Equal("", environment["EMPTY"]);
        Assert.Equal("x=y", environment["WITH_EQUALS"]);
    }

    [Fact]
    public void A_missing_env_file_is_an_error_at_its_entry()
    {
        var error = Assert.Single(_project.Errors("services:\n  web:\n    command: [x]\n    env_file: [missing.env]\n"));

        Assert.StartsWith("tether.yaml:4:16: service 'web': env_file: env file 'missing.env' does not exist", error);
    }

    [Fact]
    public void Environment_values_never_appear_in_an_error_because_they_may_be_secrets()
    {
        _project.Write("secret.env", "TOKEN=hunter2-in-file\nthis line has hunter3-no-equals\nOPEN=\"hunter4-unclosed\n");

        var errors = _project.Errors("""
            services:
              web:
                command: [x]
                env_file: secret.env
                env: ["hunter5-no-equals", "1BAD=hunter6"]
              api:
                command: [x]
                env: {TOKEN: [hunter7]}
            """);

        Assert.Equal(5, errors.Count);
        Assert.All(errors, error => Assert.DoesNotContain("hunter", error));
        Assert.Contains(errors, error => error.Contains("line 2 is not KEY=VALUE", StringComparison.Ordinal));
        Assert.Contains(errors, error => error.Contains("line 3: the value of OPEN has an unclosed quote", StringComparison.Ordinal));
    }

    [Fact]
    public void A_secret_quoted_in_an_error_is_masked()
    {
        var errors = _project.Errors("""
            services:
              web:
                command: "server --password=hunter8 | tee log"
              api:
                command: [x]
                ready: {http: "ftp://admin:hunter9@example.com/"}
            """);

        Assert.Equal(2, errors.Count);
        Assert.All(errors, error => Assert.DoesNotContain("hunter", error));
        Assert.Contains("--password=***", errors[0]);
    }

    [Fact]
    public void Relative_working_directories_are_taken_from_the_project_directory()
    {
        var set = _project.Load("services:\n  a: {command: [x], cwd: sub/dir}\n  b: {command: [x], cwd: /srv/b}\n");

        Assert.Equal(Path.Combine(_project.Path, "sub", "dir"), set.Find("a")!.WorkingDirectory);
        Assert.Equal("/srv/b", set.Find("b")!.WorkingDirectory);
    }

    [Fact]
    public void Ok_exit_codes_take_one_code_or_a_list()
    {
        var set = _project.Load("services:\n  a: {command: [x], ok_exit_codes: 2}\n  b: {command: [x], ok_exit_codes: [0, 1, 1]}\n");

        Assert.Equal([2], set.Find("a")!.OkExitCodes);
        Assert.Equal([0, 1], set.Find("b")!.OkExitCodes);
    }

    [Fact]
    public void Anchors_and_aliases_share_settings_between_services()
    {
        var set = _project.Load("""
            services:
              a:
                command: [x]
                env: &common {LEVEL: debug}
                backoff: &slow {initial: 5s, max: 5m}
              b:
                command: [y]
                env: *common
                backoff: *slow
            """);

        Assert.Equal("debug", set.Find("b")!.Environment["LEVEL"]);
        Assert.Equal(TimeSpan.FromSeconds(5), set.Find("b")!.Backoff.Initial);
    }

    [Fact]
    public void A_file_is_read_from_disk_relative_to_its_own_directory()
    {
        var path = _project.Write("stack/tether.yaml", "services:\n  web: {command: [x], cwd: www}\n");

        var set = ServiceSetLoader.Load(path);

        Assert.Equal(Path.Combine(_project.Path, "stack"), set.ProjectDirectory);
        Assert.Equal(path, set.SourcePath);
        Assert.Equal(Path.Combine(_project.Path, "stack", "www"), set.Services.Single().WorkingDirectory);
    }

    [Fact]
    public void A_missing_file_a_directory_and_a_huge_file_are_each_refused_in_one_line()
    {
        var huge = _project.Write("huge.yaml", "services:\n" + new string('#', ServiceSetLoader.MaxFileBytes) + "\n");

        Assert.StartsWith("nope.yaml: does not exist", Assert.Throws<ConfigurationException>(() => ServiceSetLoader.Load("nope.yaml")).Message);
        Assert.EndsWith(": is a directory; name the file inside it.", Assert.Throws<ConfigurationException>(() => ServiceSetLoader.Load(_project.Path)).Message);
        Assert.Contains("larger than 1 MiB", Assert.Throws<ConfigurationException>(() => ServiceSetLoader.Load(huge)).Message);
        Assert.Contains("larger than 1 MiB", Assert.Throws<ConfigurationException>(() => _project.Load(File.ReadAllText(huge))).Message);
    }

    [Fact]
    public void Bytes_that_are_not_UTF_8_are_refused_at_their_line_and_column()
    {
        var path = Path.Combine(_project.Path, "tether.yaml");
        File.WriteAllBytes(path, [.. "services:\n  web: {command: [x"u8, 0xFF, .. "]}\n"u8]);

        var refused = Assert.Throws<ConfigurationException>(() => ServiceSetLoader.Load(path));

        Assert.Equal($"{path}:2:20: the file is not valid UTF-8 here; save it as UTF-8.", refused.Message);
    }

    [Fact]
    public void A_byte_order_mark_is_ignored()
    {
        var path = Path.Combine(_project.Path, "tether.yaml");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "services:\n  web: {command: [x]}\n"u8]);

        Assert.Equal("web", ServiceSetLoader.Load(path).Services.Single().Name);
    }
}
