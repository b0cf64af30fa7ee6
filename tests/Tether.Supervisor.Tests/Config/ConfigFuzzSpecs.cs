using System.Text;

namespace Tether.Supervisor.Tests.Config;

/// <summary>
/// The tether.yaml loader and the Procfile reader against seeded mutations of valid files (flipped bits, cut ends,
/// bytes that are not UTF-8, stray quotes and brackets, changed digits): each input either loads or is refused with a
/// <see cref="ConfigurationException"/> whose every error is one line with a position inside the file; nothing else
/// escapes and nothing hangs. <c>TETHER_FUZZ_ITERATIONS</c> runs longer.
/// </summary>
public sealed class ConfigFuzzSpecs : IDisposable
{
    private const int BaseSeed = 14_000;

    private const string Stack = """
        version: 1
        services:
          db:
            command: [postgres, -D, "data dir"]
            ready: {tcp: "127.0.0.1:5432", period: 500ms, timeout: 2s, initial_delay: 1s, success_threshold: 2, failure_threshold: 5}
            stop: {signal: SIGINT, grace: 1m30s}
            limits: {memory: 512M, cpu: 0.5, pids: 100}
          migrate:
            shell: ./migrate.sh && echo 'done'
            depends_on: {db: {condition: ready}}
            restart: "no"
            ok_exit_codes: [0, 3]
          web:
            command: python3 -m http.server 8000
            cwd: site
            env: &env {LEVEL: info, PORT: 8000}
            env_file: [web.env]
            depends_on:
              db: {condition: started}
              migrate: {condition: completed_successfully}
            ready: {http: "http://127.0.0.1:8000/health"}
            live: {exec: [curl, -f, localhost], period: 10s}
            restart: unless-stopped
            backoff: {initial: 1s, factor: 3, max: 1m, jitter: 0.5, reset_after: 5m}
            start_limit: {burst: 10, interval: 2m, retry_after: 1h}
            replicas: 3
            logs: {max_size: 10MiB, keep: 7}
          worker:
            command: [worker, --queue, high]
            env: *env
            depends_on: [db, web]
            live: {heartbeat: true, timeout: 30s}
            ready: {log: 'listening on \d+'}
        """;

    private const string Procfile = "# stack\nweb: bundle exec puma -p $PORT\nworker: python3 worker.py | tee log\n\nclock: ./clock.sh\n";

    private readonly TempProject _project = new();

    public ConfigFuzzSpecs()
    {
        _project.Write("web.env", "# settings\nexport A=1\nB=\"two words\"\nC='x'\n");
    }

    public void Dispose() => _project.Dispose();

    [Fact]
    public void The_templates_are_valid()
    {
        Assert.Equal(4, _project.Load(Stack).Services.Count);
        Assert.Equal(3, ProcfileReader.LoadText(Procfile, "Procfile", _project.Path).Services.Count);
    }

    [Fact]
    public void Mutated_tether_yaml_files_load_or_are_refused_with_positioned_one_line_errors_and_nothing_else()
    {
        var template = Encoding.UTF8.GetBytes(Stack);
        var path = Path.Combine(_project.Path, "tether.yaml");
        var iterations = SeededMutator.Iterations(ciDefault: 400);
        for (var i = 0; i < iterations; i++)
        {
            var seed = BaseSeed + i;
            var bytes = SeededMutator.Mutate(template, seed, out _);
            File.WriteAllBytes(path, bytes);
            Expect(seed, bytes, () => ServiceSetLoader.Load(path));
            var text = Encoding.UTF8.GetString(bytes);
            Expect(seed, bytes, () => ServiceSetLoader.LoadText(text, "tether.yaml", _project.Path));
        }
    }

    [Fact]
    public void Mutated_Procfiles_load_or_are_refused_with_positioned_one_line_errors_and_nothing_else()
    {
        var template = Encoding.UTF8.GetBytes(Procfile);
        var path = Path.Combine(_project.Path, "Procfile");
        var iterations = SeededMutator.Iterations(ciDefault: 200);
        for (var i = 0; i < iterations; i++)
        {
            var seed = BaseSeed + i;
            var bytes = SeededMutator.Mutate(template, seed, out _);
            File.WriteAllBytes(path, bytes);
            Expect(seed, bytes, () => ProcfileReader.Load(path));
        }
    }

    public static TheoryData<string> LargeInputs() =>
    [
        "many-env-keys",
        "many-duplicate-dependencies",
        "many-unknown-dependencies",
        "long-cycle",
        "many-duplicate-keys",
        "many-unknown-keys",
    ];

    [Theory]
    [MemberData(nameof(LargeInputs))]
    public void A_file_near_the_size_cap_built_to_be_slow_is_read_in_bounded_time(string shape)
    {
        var text = new System.Text.StringBuilder();
        switch (shape)
        {
            case "many-env-keys":
                text.Append("services:\n  web:\n    command: [x]\n    env:\n");
                for (var i = 0; text.Length < 1_000_000; i++)
                {
                    text.Append("      K").Append(i).Append(": v\n");
                }

                break;
            case "many-duplicate-dependencies":
                text.Append("services:\n  web:\n    command: [x]\n    depends_on: [");
                while (text.Length < 1_000_000)
                {
                    text.Append("db,");
                }

                text.Append("db]\n  db: {command: [x]}\n");
                break;
            case "many-unknown-dependencies":
            case "long-cycle":
                text.Append("services:\n");
                for (var i = 0; text.Length < 1_000_000; i++)
                {
                    var target = shape == "long-cycle" ? "s" + (i + 1) : "missing" + i;
                    text.Append("  s").Append(i).Append(": {command: [x], depends_on: [").Append(target).Append("]}\n");
                }

                if (shape == "long-cycle")
                {
                    // Close the chain into one long cycle; the last entry's target is the service after it.
                    var last = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1;
                    text.Append("  s").Append(last + 1).Append(": {command: [x], depends_on: [s0]}\n");
                }

                break;
            case "many-duplicate-keys":
                text.Append("services:\n  web:\n    command: [x]\n    env:\n");
                while (text.Length < 1_000_000)
                {
                    text.Append("      K: v\n");
                }

                break;
            default:
                text.Append("services:\n  web:\n    command: [x]\n");
                for (var i = 0; text.Length < 1_000_000; i++)
                {
                    text.Append("    comand").Append(i).Append(": x\n");
                }

                break;
        }

        var yaml = text.ToString();
        Assert.True(yaml.Length <= ServiceSetLoader.MaxFileBytes, "the input is within the cap, so it is parsed rather than refused for its size");
        Expect(0, System.Text.Encoding.UTF8.GetBytes(yaml), () => ServiceSetLoader.LoadText(yaml, "tether.yaml", _project.Path));
    }

    [Fact]
    public void A_Procfile_near_the_size_cap_naming_one_process_on_every_line_is_read_in_bounded_time()
    {
        var text = string.Concat(Enumerable.Repeat("web: x\n", 1_000_000 / 7));

        Expect(0, System.Text.Encoding.UTF8.GetBytes(text), () => ProcfileReader.LoadText(text, "Procfile", _project.Path));
    }

    private static void Expect(int seed, byte[] input, Action load)
    {
        var error = SeededMutator.Read(seed, load);
        if (error is null)
        {
            return;
        }

        if (error is not ConfigurationException refused)
        {
            Assert.Fail($"seed {seed}: the loader threw {error.GetType().Name}: {error.Message}\n{error.StackTrace}");
            return;
        }

        var lines = input.Count(b => b == (byte)'\n') + 1;
        Assert.NotEmpty(refused.Errors);
        foreach (var problem in refused.Errors)
        {
            var shown = problem.ToString();
            Assert.False(shown.Contains('\n', StringComparison.Ordinal) || shown.Contains('\r', StringComparison.Ordinal), $"seed {seed}: an error spans lines: {shown}");
            Assert.True(problem.Line >= 0 && problem.Line <= lines + 1, $"seed {seed}: line {problem.Line} is outside the file's {lines} lines: {shown}");
            Assert.True(problem.Line == 0 || problem.Column >= 1, $"seed {seed}: no column: {shown}");
            Assert.False(string.IsNullOrWhiteSpace(problem.Message), $"seed {seed}: an empty message");
        }
    }
}
