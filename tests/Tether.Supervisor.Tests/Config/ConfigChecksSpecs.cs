namespace Tether.Supervisor.Tests.Config;

public sealed class ConfigChecksSpecs : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    private static HostCapabilities Host(bool root = false, params TreeLimit[] enforceable) => new(
        [.. Enum.GetValues<TreeLimit>().Select(limit => enforceable.Contains(limit)
            ? new LimitSupport(limit, "cgroup v2 at /sys/fs/cgroup/test", null)
            : new LimitSupport(limit, null, $"the {limit} controller is not delegated to this cgroup"))],
        root,
        (program, _, _) => program is "missing" or "/opt/missing-probe" ? $"Program '{program}' was not found on PATH; check the name or give a full path." : null);

    [Fact]
    public void A_set_this_host_can_run_has_no_errors()
    {
        var set = _project.Load("services:\n  web:\n    command: [sleep, '60']\n    limits: {memory: 64M}\n");

        Assert.Empty(ServiceSetChecks.Check(set, Host(root: false, TreeLimit.Memory)));
    }

    [Fact]
    public void Limits_the_host_cannot_enforce_are_refused_at_their_keys_with_the_reason()
    {
        var set = _project.Load("""
            services:
              web:
                command: [x]
                limits:
                  memory: 64M
                  cpu: 0.5
                  pids: 10
            """);

        var errors = ServiceSetChecks.Check(set, Host(root: false, TreeLimit.Memory)).Select(error => error.ToString());

        Assert.Equal(
        [
            "tether.yaml:6:7: service 'web': limits.cpu cannot be enforced on this host (the Cpu controller is not delegated to this cgroup); remove it, or run tether where cgroup v2 delegates that controller.",
            "tether.yaml:7:7: service 'web': limits.pids cannot be enforced on this host (the Processes controller is not delegated to this cgroup); remove it, or run tether where cgroup v2 delegates that controller.",
        ], errors);
    }

    [Fact]
    public void A_user_is_refused_unless_tether_runs_as_root()
    {
        var set = _project.Load("services:\n  web:\n    command: [x]\n    user: www-data\n");

        var error = Assert.Single(ServiceSetChecks.Check(set, Host(root: false)));

        Assert.Equal("tether.yaml:4:5: service 'web': user: 'www-data' needs tether to run as root, and it does not; run tether as root (or in a container) or remove user:.", error.ToString());
        Assert.Empty(ServiceSetChecks.Check(set, Host(root: true)));
    }

    [Fact]
    public void A_missing_program_or_working_directory_is_refused_at_its_key()
    {
        var set = _project.Load("""
            services:
              web:
                command: [missing, --flag]
              api:
                command: [x]
                live: {exec: [/opt/missing-probe]}
              docs:
                command: [x]
                cwd: no/such/dir
            """);

        var errors = ServiceSetChecks.Check(set, Host()).Select(error => error.ToString()).ToList();

        Assert.Equal(
        [
            "tether.yaml:3:5: service 'web': Program 'missing' was not found on PATH; check the name or give a full path.",
            "tether.yaml:6:12: service 'api': live.exec: Program '/opt/missing-probe' was not found on PATH; check the name or give a full path.",
            $"tether.yaml:9:5: service 'docs': cwd '{Path.Combine(_project.Path, "no/such/dir")}' does not exist; create it or correct the path.",
        ], errors);
    }

    [Fact]
    public void The_real_host_finds_programs_on_the_services_own_PATH_and_relative_to_its_working_directory()
    {
        Directory.CreateDirectory(Path.Combine(_project.Path, "bin"));
        var script = _project.Write("bin/serve", "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var set = _project.Load($$"""
            services:
              on-path: {command: [sh, -c, "true"]}
              own-path: {command: [serve], env: {PATH: "/nonexistent:{{_project.Path}}/bin"} }
              relative: {command: [./serve], cwd: bin}
              shell: {shell: "exit 0"}
              missing: {command: [tether-no-such-program-anywhere]}
            """);

        var errors = ServiceSetChecks.Check(set);

        var error = Assert.Single(errors);
        Assert.Equal(6, error.Line);
        Assert.Contains("tether-no-such-program-anywhere", error.Message);
    }

    [Fact]
    public void A_set_built_in_code_is_checked_without_positions()
    {
        var set = new ServiceSet(_project.Path, [new ServiceDefinition { Name = "web", Command = new ServiceCommand.Exec(["missing"]) }]);

        var error = Assert.Single(ServiceSetChecks.Check(set, Host()));

        Assert.Equal("tether.yaml: service 'web': Program 'missing' was not found on PATH; check the name or give a full path.", error.ToString());
    }

    [Fact]
    public void ThrowIfUnrunnable_throws_every_problem_together()
    {
        var set = _project.Load("services:\n  a: {command: [tether-no-such-program-a]}\n  b: {command: [tether-no-such-program-b]}\n");

        var refused = Assert.Throws<ConfigurationException>(() => ServiceSetChecks.ThrowIfUnrunnable(set));

        Assert.Equal([2, 3], refused.Errors.Select(error => error.Line));
    }
}
