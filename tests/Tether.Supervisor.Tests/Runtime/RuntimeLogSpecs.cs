using System.Diagnostics;
using static Tether.Supervisor.Tests.Runtime.SupervisedProject;

namespace Tether.Supervisor.Tests.Runtime;

/// <summary>Services' output on real processes: log files rotated by size, floods that block nobody, a full disk.</summary>
public sealed class RuntimeLogSpecs
{
    [Fact]
    public async Task A_services_log_is_rotated_at_its_size_keeping_the_configured_number_of_files_owner_only()
    {
        await using var project = await StartAsync(new ServiceDefinition
        {
            Name = "chatty",
            Command = new ServiceCommand.Exec([Dummy.Path, "lines", "3000"]),
            Restart = RestartPolicy.No,
            Logs = new LogPolicy(4096, 2),
        });

        await project.WaitForStateAsync("chatty", ServiceState.Completed);
        Assert.Equal(0, await project.ShutdownAsync());

        var logs = Path.Combine(project.StateDirectory, "logs");
        Assert.Equal(["chatty.log", "chatty.log.1", "chatty.log.2"], Directory.GetFiles(logs).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var file in Directory.GetFiles(logs))
        {
            Assert.InRange(new FileInfo(file).Length, 1, 4096);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        // Whole lines in order across the rotation: the newest file ends with the last line, .1 continues into it.
        var newest = File.ReadAllLines(Path.Combine(logs, "chatty.log"));
        var previous = File.ReadAllLines(Path.Combine(logs, "chatty.log.1"));
        Assert.Equal("line 3000", newest[^1]);
        Assert.Equal(int.Parse(previous[^1]["line ".Length..], System.Globalization.CultureInfo.InvariantCulture) + 1,
            int.Parse(newest[0]["line ".Length..], System.Globalization.CultureInfo.InvariantCulture));
        Assert.All(newest.Concat(previous), line => Assert.Matches("^line [0-9]+$", line));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(logs));
    }

    [Fact]
    public async Task Each_replica_gets_its_index_and_its_lines_in_the_services_log_start_with_it()
    {
        await using var project = await StartAsync(Shell("web", "echo \"i=$TETHER_INSTANCE\"; exec sleep 300") with { Replicas = 2 });

        await project.WaitUntilAsync(() => project.Supervisor.Logs(["web"], 10).Count == 2, "both replicas printed");
        Assert.Equal(["web#0 i=0", "web#1 i=1"], project.Supervisor.Logs(["web"], 10).Select(l => $"{l.Instance} {l.Text}").Order(StringComparer.Ordinal));
        Assert.Equal(0, await project.ShutdownAsync());

        var lines = File.ReadAllLines(Path.Combine(project.StateDirectory, "logs", "web.log"));
        Assert.Equal(["[0] i=0", "[1] i=1"], lines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_service_flooding_its_output_blocks_neither_itself_nor_its_neighbours()
    {
        const long Flood = 80L * 800_000; // whole 80-byte lines
        await using var project = await StartAsync(
            new ServiceDefinition
            {
                Name = "flood",
                Command = new ServiceCommand.Exec([Dummy.Path, "spew", Flood.ToString(System.Globalization.CultureInfo.InvariantCulture)]),
                Restart = RestartPolicy.No,
                Logs = new LogPolicy(1L << 30, 1),
            },
            Shell("ticker", "i=0; while true; do i=$((i+1)); echo \"tick $i\"; sleep 0.05; done"));

        await project.WaitForStateAsync("flood", ServiceState.Completed);
        var ticks = project.Supervisor.Logs(["ticker"], 1000).Count;
        Assert.True(ticks > 0, "the ticker's lines reached the supervisor while the flood ran");
        await project.WaitUntilAsync(() => project.Supervisor.Logs(["ticker"], 1000).Count > ticks, "the ticker keeps ticking after the flood");

        // Every line the flood wrote is in its log files or counted as dropped: nothing vanished silently.
        Assert.Equal(0, await project.ShutdownAsync());
        var logs = Path.Combine(project.StateDirectory, "logs");
        var written = Directory.GetFiles(logs, "flood.log*").Sum(file => File.ReadAllBytes(file).Count(b => b == (byte)'\n'));
        var dropped = project.Supervisor.Status().DroppedLogLines.GetValueOrDefault("flood");
        Assert.True(written > 0);
        Assert.Equal(Flood / 80, written + dropped);
        Assert.Equal(ServiceState.Completed, project.Decisions.OfType<SupervisorDecision.StateChanged>().Last(c => c.Instance.Service == "flood").To);
    }

    [Fact]
    public async Task A_full_disk_drops_and_counts_log_lines_while_the_service_keeps_running()
    {
        var project = Create();
        await using var _ = project;
        var logs = Path.Combine(project.StateDirectory, "logs");
        Directory.CreateDirectory(logs);
        using var mount = Tmpfs.Mount(logs, "256k");

        await project.StartSupervisorAsync(options => options, new ServiceDefinition
        {
            Name = "writer",
            Command = new ServiceCommand.Shell($"{Dummy.Path} spew 2000000; echo still-running; exec sleep 300"),
            Logs = new LogPolicy(100L * 1024 * 1024, 1),
        });

        await project.WaitUntilAsync(() => project.Supervisor.Logs(["writer"], 1).SingleOrDefault()?.Text == "still-running", "the service went on past the full disk");
        await project.WaitUntilAsync(() => project.Supervisor.Status().DroppedLogLines.GetValueOrDefault("writer") > 0, "the dropped lines are counted");
        Assert.Equal(ServiceState.Ready, project.Status("writer").State);
        Assert.Equal(0, await project.ShutdownAsync());

        var journal = await project.JournalAsync();
        var drop = Assert.Single(journal.Where(r => r.Type == "service.log_dropped").TakeLast(1));
        Assert.True(drop.Data!.Value.GetProperty("lines").GetInt64() > 0);
        Assert.Contains("No space left", drop.Data!.Value.GetProperty("reason").GetString(), StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>A size-limited tmpfs mounted for one spec (the specs run as root, like the journal's disk-full specs); unmounted on dispose.</summary>
internal sealed class Tmpfs : IDisposable
{
    private readonly string _directory;

    private Tmpfs(string directory) => _directory = directory;

    public static Tmpfs Mount(string directory, string size)
    {
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={size},mode=0700", "tmpfs", directory);
        return code == 0 ? new Tmpfs(directory) : throw new InvalidOperationException($"Mounting a {size} tmpfs on {directory} failed ({code}): {output.Trim()}; these specs need root.");
    }

    public void Dispose() => Run("umount", "-l", _directory);

    private static (int Code, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
