namespace Tether.Supervisor.Tests.Config;

/// <summary>What tether.yaml refuses, and how: every error at its file, line and column, in one line that says what to do.</summary>
public sealed class ConfigErrorSpecs : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public void An_unknown_key_is_refused_at_its_position_with_the_closest_accepted_key()
    {
        var errors = _project.Errors("""
            services:
              web:
                comand: [x]
                command: [x]
                backof: {initial: 1s}
                ready: {tcp: 80, peroid: 1s}
                environment: {A: b}
            """);

        Assert.Equal(
        [
            "tether.yaml:3:5: unknown key 'comand' in service 'web' (did you mean 'command'?); the keys accepted there are command, shell, cwd, env, env_file, user, depends_on, ready, live, restart, ok_exit_codes, backoff, start_limit, stop, replicas, limits, logs.",
            "tether.yaml:5:5: unknown key 'backof' in service 'web' (did you mean 'backoff'?); the keys accepted there are command, shell, cwd, env, env_file, user, depends_on, ready, live, restart, ok_exit_codes, backoff, start_limit, stop, replicas, limits, logs.",
            "tether.yaml:6:22: unknown key 'peroid' in service 'web': ready (did you mean 'period'?); the keys accepted there are exec, http, tcp, log, heartbeat, period, timeout, initial_delay, success_threshold, failure_threshold.",
            "tether.yaml:7:5: unknown key 'environment' in service 'web' (did you mean 'env'?); the keys accepted there are command, shell, cwd, env, env_file, user, depends_on, ready, live, restart, ok_exit_codes, backoff, start_limit, stop, replicas, limits, logs.",
        ], errors);
    }

    [Fact]
    public void An_unknown_top_level_key_is_refused_with_a_suggestion()
    {
        var error = Assert.Single(_project.Errors("servics:\n  web: {command: [x]}\nservices:\n  web: {command: [x]}\n"));

        Assert.StartsWith("tether.yaml:1:1: unknown key 'servics' in the top level (did you mean 'services'?)", error);
    }

    [Theory]
    [InlineData("replicas: 0", "service 'web': replicas must be a whole number from 1 to 1000; got '0'.")]
    [InlineData("replicas: many", "service 'web': replicas must be a whole number from 1 to 1000; got 'many'.")]
    [InlineData("restart: on_failure", "service 'web': restart must be one of no, on-failure, always, unless-stopped; got 'on_failure' (did you mean 'on-failure'?).")]
    [InlineData("ok_exit_codes: [256]", "service 'web': ok_exit_codes must be a whole number from 0 to 255; got '256'.")]
    [InlineData("backoff: {jitter: 2}", "service 'web': backoff.jitter must be a number from 0 to 1, such as 0.1; got '2'.")]
    [InlineData("backoff: {factor: 0.5}", "service 'web': backoff.factor must be a number from 1 to 100, such as 2; got '0.5'.")]
    [InlineData("stop: {grace: soon}", "service 'web': stop.grace must be a duration from 0s up to 49d, such as 500ms, 2s, 5m or 1h (a plain number is seconds); got 'soon'.")]
    [InlineData("stop: {signal: TERMINATE}", "service 'web': stop.signal must be a signal such as TERM, SIGINT, HUP or 15; got 'TERMINATE'.")]
    [InlineData("limits: {memory: 1K}", "service 'web': limits.memory must be a size of at least 1048576 bytes")]
    [InlineData("limits: {cpu: 0}", "service 'web': limits.cpu must be a number from 0.01 to 4096, such as 0.5; got '0'.")]
    [InlineData("ready: {tcp: 70000}", "service 'web': ready.tcp must be a port from 1 to 65535")]
    [InlineData("ready: {http: 'ftp://x'}", "service 'web': ready.http must be an http:// or https:// URL")]
    [InlineData("ready: {log: '(unclosed'}", "service 'web': ready.log is not a valid regular expression")]
    [InlineData("ready: {heartbeat: false}", "service 'web': ready.heartbeat must be true")]
    [InlineData("ready: {period: 1s}", "service 'web': ready must say what to check with one of exec")]
    [InlineData("ready: {tcp: 80, http: 'http://x'}", "service 'web': ready has both tcp: and http:")]
    [InlineData("ready: {tcp: 80, period: 0s}", "service 'web': ready.period must be a duration longer than 0s")]
    [InlineData("live: tcp", "service 'web': live must be a mapping, such as '{tcp: 8080, period: 2s}'; got 'tcp'.")]
    [InlineData("env: 3", "service 'web': env must be a mapping KEY: VALUE or a list of KEY=VALUE; got text.")]
    [InlineData("depends_on: db", "service 'web': depends_on must be a list of service names or a mapping")]
    [InlineData("depends_on: {db: {condition: service_healthy}}", "use 'ready' (the dependency's ready: probe passed) for what compose calls service_healthy")]
    [InlineData("depends_on: {db: {condition: healthy, timeout: 1s}}", "unknown key 'timeout' in service 'web': depends_on: db")]
    [InlineData("user: ", "service 'web': user must be text; got nothing (null).")]
    [InlineData("backoff: {initial: 10s, max: 1s}", "service 'web': backoff.max (1s) is shorter than initial (10s); make max at least initial.")]
    [InlineData("logs: {keep: -1}", "service 'web': logs.keep must be a whole number from 0 to 1000; got '-1'.")]
    [InlineData("start_limit: {burst: 0}", "service 'web': start_limit.burst must be a whole number from 1 to 10000; got '0'.")]
    public void Wrong_types_and_out_of_range_values_are_refused_with_what_is_expected(string setting, string expected)
    {
        var errors = _project.Errors($"services:\n  db: {{command: [x]}}\n  web:\n    command: [x]\n    {setting}\n");

        Assert.Contains(errors, error => error.Contains(expected, StringComparison.Ordinal) && error.StartsWith("tether.yaml:5:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_dependency_on_a_service_that_does_not_exist_is_refused_with_the_closest_name()
    {
        var error = Assert.Single(_project.Errors("services:\n  database: {command: [x]}\n  web:\n    command: [x]\n    depends_on: [databse]\n"));

        Assert.Equal("tether.yaml:5:18: service 'web' depends on 'databse', which is not a service in this file (did you mean 'database'?); the services are database, web.", error);
    }

    [Fact]
    public void A_dependency_cycle_is_refused_naming_the_whole_cycle()
    {
        var errors = _project.Errors("""
            services:
              a: {command: [x], depends_on: [b]}
              b: {command: [x], depends_on: {c: {condition: ready}}}
              c: {command: [x], depends_on: [a]}
              d: {command: [x], depends_on: [d]}
              e: {command: [x], depends_on: [a]}
            """);

        Assert.Equal(
        [
            "tether.yaml:2:34: dependency cycle a → b → c → a: none of these could ever start; remove one of these depends_on entries.",
            "tether.yaml:5:34: service 'd' depends on itself; remove 'd' from its depends_on.",
        ], errors);
    }

    [Fact]
    public void A_long_dependency_chain_is_checked_without_recursion()
    {
        var lines = Enumerable.Range(0, 5000).Select(i => i == 0 ? "  s0: {command: [x]}" : $"  s{i}: {{command: [x], depends_on: [s{i - 1}]}}");

        var set = _project.Load("services:\n" + string.Join('\n', lines) + "\n");

        Assert.Equal(5000, set.Services.Count);
    }

    [Fact]
    public void Duplicate_keys_are_refused_naming_the_first_one()
    {
        var errors = _project.Errors("services:\n  web:\n    command: [x]\n    command: [y]\n  web:\n    command: [z]\n");

        Assert.Equal(
        [
            "tether.yaml:4:5: duplicate key 'command' (first at line 3); keep one of them.",
            "tether.yaml:5:3: duplicate key 'web' (first at line 2); keep one of them.",
        ], errors);
    }

    [Theory]
    [InlineData("", "tether.yaml: the file is empty; add 'services:' with at least one service")]
    [InlineData("# only a comment\n", "tether.yaml: the file is empty")]
    [InlineData("version: 1\n", "tether.yaml:1:1: the file has no 'services:' key")]
    [InlineData("services:\n", "tether.yaml:1:1: services: is empty")]
    [InlineData("services: {}\n", "tether.yaml:1:1: services: is empty")]
    [InlineData("services: [web]\n", "tether.yaml:1:11: services must be a mapping")]
    [InlineData("- web\n", "tether.yaml:1:1: the file must be a mapping")]
    [InlineData("version: 2\nservices: {web: {command: [x]}}\n", "tether.yaml:1:10: version must be a whole number from 1 to 1")]
    [InlineData("services:\n  web: {}\n", "tether.yaml:2:3: service 'web' has no command")]
    [InlineData("services:\n  web: {command: [x], shell: y}\n", "tether.yaml:2:23: service 'web' has both command: and shell:")]
    [InlineData("services:\n  web: {shell: [a, b]}\n", "tether.yaml:2:16: service 'web': shell must be text; got a list.")]
    [InlineData("services:\n  web: {command: []}\n", "tether.yaml:2:18: service 'web': command must be a list [program, arg] or a one-line string without shell syntax; got an empty list.")]
    [InlineData("services:\n  web: {command: ['', a]}\n", "tether.yaml:2:19: service 'web': command starts with an empty program name")]
    [InlineData("services:\n  web: {command: [x, null]}\n", "tether.yaml:2:22: service 'web': command item must be text; got nothing (null).")]
    [InlineData("services:\n  -web: {command: [x]}\n", "tether.yaml:2:3: '-web' is not a valid service name")]
    [InlineData("services:\n  my web: {command: [x]}\n", "tether.yaml:2:3: 'my web' is not a valid service name")]
    [InlineData("services:\n  web: [x]\n", "tether.yaml:2:8: service 'web' must be a mapping")]
    [InlineData("services:\n  web:\n    command: [x\n", "tether.yaml:4:1: invalid YAML")]
    [InlineData("services:\n  web: {command: [x]}\n---\nservices: {}\n", "tether.yaml:3:1: the file holds more than one YAML document")]
    [InlineData("services:\n  web: {command: *nothing}\n", "tether.yaml:2:18: the alias *nothing names no anchor")]
    [InlineData("services:\n  ? [a]\n  : {command: [x]}\n", "a key must be a name, not a list")]
    public void A_file_without_a_usable_service_is_refused_with_what_to_do(string yaml, string expected)
    {
        var errors = _project.Errors(yaml);

        Assert.Contains(errors, error => error.StartsWith(expected, StringComparison.Ordinal) || (!expected.StartsWith("tether.yaml", StringComparison.Ordinal) && error.Contains(expected, StringComparison.Ordinal)));
    }

    [Fact]
    public void Every_error_of_the_file_is_reported_at_once_in_file_order()
    {
        var refused = Assert.Throws<ConfigurationException>(() => _project.Load("""
            services:
              web:
                command: [x]
                replicas: 0
                restart: sometimes
              api:
                shell: "run"
                depends_on: [nobody]
                stop: {signal: NOPE}
            """));

        Assert.Equal([4, 5, 8, 9], refused.Errors.Select(error => error.Line));
        Assert.All(refused.Errors, error => Assert.Equal("tether.yaml", error.File));
        Assert.All(refused.Errors, error => Assert.True(error.Column > 0));
    }

    [Fact]
    public void A_billion_laughs_document_is_refused_quickly_instead_of_being_expanded()
    {
        var yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
        for (var i = 1; i < 12; i++)
        {
            var previous = (char)('a' + i - 1);
            yaml += $"{(char)('a' + i)}: &{(char)('a' + i)} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n";
        }

        var error = Assert.Single(_project.Errors(yaml + "services: {web: {command: [x], env: *l}}\n"));

        Assert.Contains("once its aliases are expanded", error);
    }

    [Fact]
    public void Deeply_nested_values_are_refused_instead_of_exhausting_the_stack()
    {
        var yaml = "services: {web: {command: [x], env: " + new string('[', 100_000) + new string(']', 100_000) + "}}\n";

        var error = Assert.Single(_project.Errors(yaml));

        Assert.Contains("nested more than 64 levels deep", error);
    }
}
