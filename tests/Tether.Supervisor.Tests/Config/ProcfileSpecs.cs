namespace Tether.Supervisor.Tests.Config;

public sealed class ProcfileSpecs : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public void Each_line_is_a_shell_service_with_a_port_numbered_like_foreman()
    {
        var path = _project.Write("Procfile", """
            # the stack
            web: bundle exec puma -p $PORT

            worker:   python3 worker.py --queue default | tee worker.log
            clock: ./clock.sh
            """);

        var set = ProcfileReader.Load(path);

        Assert.Equal(_project.Path, set.ProjectDirectory);
        Assert.Equal(path, set.SourcePath);
        Assert.Equal(["web", "worker", "clock"], set.Services.Select(service => service.Name));
        Assert.Equal(new ServiceCommand.Shell("bundle exec puma -p $PORT"), set.Services[0].Command);
        Assert.Equal(new ServiceCommand.Shell("python3 worker.py --queue default | tee worker.log"), set.Services[1].Command);
        Assert.Equal(["5000", "5100", "5200"], set.Services.Select(service => service.Environment["PORT"]));
        Assert.All(set.Services, service => Assert.Equal(RestartPolicy.OnFailure, service.Restart));
    }

    [Fact]
    public void A_dot_env_file_beside_the_Procfile_gives_every_service_its_variables()
    {
        _project.Write(".env", "DATABASE_URL=postgres://localhost/app\nPORT=9999\n");
        var path = _project.Write("Procfile", "web: ./web\nworker: ./worker\n");

        var set = ProcfileReader.Load(path);

        Assert.All(set.Services, service => Assert.Equal("postgres://localhost/app", service.Environment["DATABASE_URL"]));
        Assert.Equal(["5000", "5100"], set.Services.Select(service => service.Environment["PORT"]));
    }

    [Fact]
    public void Lines_that_are_not_name_colon_command_are_refused_with_their_line_numbers()
    {
        var refused = Assert.Throws<ConfigurationException>(() => ProcfileReader.LoadText("""
            web: ./web
            just a command
            bad name: ./x
            empty:
            web: ./again
            """, "Procfile", _project.Path));

        Assert.Equal(
        [
            "Procfile:2:1: this line is not 'name: command'; write one process per line, such as 'web: python3 -m http.server $PORT' (or start it with # for a comment).",
            "Procfile:3:1: 'bad name' is not a process name; use letters, digits, '-' and '_'.",
            "Procfile:4:1: process 'empty' has no command; write it after the colon.",
            "Procfile:5:1: process 'web' is defined twice; keep one line for it.",
        ], refused.Errors.Select(error => error.ToString()));
    }

    [Fact]
    public void An_empty_or_missing_Procfile_is_refused()
    {
        Assert.Equal("Procfile: the Procfile names no process; add lines such as 'web: python3 -m http.server $PORT'.",
            Assert.Throws<ConfigurationException>(() => ProcfileReader.LoadText("# nothing\n\n", "Procfile", _project.Path)).Message);
        Assert.StartsWith("missing/Procfile: does not exist",
            Assert.Throws<ConfigurationException>(() => ProcfileReader.Load("missing/Procfile")).Message);
    }

    [Fact]
    public void The_host_checks_name_the_line_of_a_Procfile_process()
    {
        var set = ProcfileReader.LoadText("web: ./web\nworker: ./worker\n", "Procfile", _project.Path);
        var host = new HostCapabilities([], IsRoot: false, (program, _, _) => program == "/bin/sh" ? "no shell here" : null);

        var errors = ServiceSetChecks.Check(set, host);

        Assert.Equal(["Procfile:1:5: service 'web': no shell here", "Procfile:2:8: service 'worker': no shell here"], errors.Select(error => error.ToString()));
    }
}
