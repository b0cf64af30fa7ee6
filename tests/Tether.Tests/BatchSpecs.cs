using System.Globalization;

namespace Tether.Tests;

public sealed class BatchSpecs
{
    [Fact]
    public async Task A_thousand_commands_with_a_cap_of_eight_never_have_more_than_eight_alive_and_all_results_come_back_in_order()
    {
        // Arrange
        var runner = new GaugedRunner(ProcessRunner.Default);
        var commands = Enumerable.Range(0, 1000)
            .Select(i => new Command("/bin/true").WithContainment(ContainmentMode.ProcessGroup).AddArgument(i.ToString(CultureInfo.InvariantCulture)))
            .ToList();

        // Act
        var entries = await runner.OutputAllAsync(commands, maxConcurrency: 8).WaitAsync(TimeSpan.FromMinutes(2));

        // Assert
        Assert.InRange(runner.Peak, 2, 8);
        Assert.Equal(0, runner.Alive);
        Assert.Equal(1000, entries.Count);
        Assert.Equal(Enumerable.Range(0, 1000), entries.Select(e => e.Index));
        Assert.All(entries, (e, i) =>
        {
            Assert.Same(commands[i], e.Command);
            Assert.True(e.IsSuccess, e.ToString());
        });
        var pids = entries.Select(e => e.Result!.Pid).ToList();
        Assert.Equal(1000, pids.Distinct().Count());
        Assert.DoesNotContain(pids, IsOurChild);
    }

    [Fact]
    public async Task Every_command_runs_whatever_the_others_do_and_a_failure_to_run_is_an_entry()
    {
        Command[] commands = [Shell.Command("echo one"), Shell.Command("exit 3"), new Command("/nonexistent/tether-batch"), Shell.Command("echo four")];

        var entries = await ProcessRunner.Default.OutputAllAsync(commands, maxConcurrency: 2).Soon();

        Assert.Equal([BatchStatus.Completed, BatchStatus.Completed, BatchStatus.Failed, BatchStatus.Completed], entries.Select(e => e.Status));
        Assert.Equal("one\n", entries[0].Result!.Stdout);
        Assert.Equal(3, entries[1].Result!.ExitCode);
        Assert.IsType<ProgramNotFoundException>(entries[2].Error);
        Assert.Equal("four\n", entries[3].Result!.Stdout);
    }

    [Fact]
    public async Task Fail_fast_stops_the_running_commands_starts_no_more_and_reports_them_as_stopped()
    {
        // Arrange: three long sleepers and a failure fill the cap of four; four more wait their turn.
        using var leftovers = new Leftovers();
        var sleeper = Shell.Command("exec sleep 600").WithGrace(TimeSpan.FromSeconds(5));
        Command[] commands = [sleeper, sleeper, sleeper, Shell.Command("sleep 0.2; exit 3"), .. Enumerable.Repeat(sleeper, 4)];
        var options = new BatchOptions { MaxConcurrency = 4, FailFast = true };

        // Act
        var entries = await ProcessRunner.Default.OutputAllAsync(commands, options).Soon();

        // Assert
        Assert.Equal(3, entries[3].Result!.ExitCode);
        Assert.False(entries[3].IsSuccess);
        Assert.All(entries.Where(e => e.Index != 3), e =>
        {
            Assert.Equal(BatchStatus.Stopped, e.Status);
            Assert.Null(e.Result);
        });
    }

    [Fact]
    public async Task Results_stream_in_the_order_the_commands_finish()
    {
        // Arrange: the first command waits for a file the spec creates only after it has seen the second finish.
        var gate = Path.Combine(Path.GetTempPath(), $"tether-batch-{Guid.NewGuid():N}");
        Command[] commands =
        [
            new Command("/bin/sh").WithArguments("-c", "while [ ! -e \"$0\" ]; do sleep 0.05; done; echo slow", gate),
            Shell.Command("echo fast"),
        ];
        var seen = new List<BatchEntry>();
        try
        {
            // Act
            await foreach (var entry in ProcessRunner.Default.OutputEachAsync(commands, maxConcurrency: 2).WithCancellation(CancellationToken.None))
            {
                seen.Add(entry);
                await File.WriteAllTextAsync(gate, "");
            }
        }
        finally
        {
            File.Delete(gate);
        }

        // Assert
        Assert.Equal([1, 0], seen.Select(e => e.Index));
        Assert.Equal(["fast\n", "slow\n"], seen.Select(e => e.Result!.Stdout));
    }

    [Fact]
    public async Task Cancelling_a_batch_stops_every_running_command_and_throws()
    {
        var runner = new GaugedRunner(ProcessRunner.Default);
        using var cancellation = new CancellationTokenSource();
        var batch = runner.OutputAllAsync(Enumerable.Repeat(Shell.Command("exec sleep 600"), 6), maxConcurrency: 3, cancellation.Token);
        Assert.True(await Bounds.EventuallyAsync(() => runner.Alive == 3));

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => batch.Soon());
        Assert.Equal(0, runner.Alive);
        Assert.Equal(3, runner.Peak);
    }

    [Fact]
    public async Task I_can_wait_for_any_or_all_of_several_running_processes()
    {
        // Arrange
        var gate = Path.Combine(Path.GetTempPath(), $"tether-wait-{Guid.NewGuid():N}");
        var waiter = new Command("/bin/sh").WithArguments("-c", "while [ ! -e \"$0\" ]; do sleep 0.05; done; echo done", gate);
        var processes = new List<RunningProcess>
        {
            await ProcessRunner.Default.StartAsync(waiter),
            await ProcessRunner.Default.StartAsync(Shell.Command("exit 5")),
            await ProcessRunner.Default.StartAsync(waiter),
        };
        try
        {
            // Act
            var (index, first) = await processes.WaitAnyAsync().Soon();
            await File.WriteAllTextAsync(gate, "");
            var all = await processes.WaitAllAsync().Soon();

            // Assert
            Assert.Equal(1, index);
            Assert.Equal(5, first.ExitCode);
            Assert.Equal([0, 5, 0], all.Select(r => r.ExitCode!.Value));
            Assert.Equal("done\n", all[2].Stdout);
        }
        finally
        {
            File.Delete(gate);
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }
        }
    }

    private static bool IsOurChild(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture) == Environment.ProcessId;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Counts the runs alive at once (from asking the runner to its answer, which covers spawn to reap).</summary>
    private sealed class GaugedRunner(IProcessRunner inner) : IProcessRunner
    {
        private int _alive;
        private int _peak;

        public int Alive => Volatile.Read(ref _alive);

        public int Peak => Volatile.Read(ref _peak);

        public Task<RunningProcess> StartAsync(Pipeline pipeline, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("Batches use the capturing verb.");

        public async Task<ProcessResult<byte[]>> OutputBytesAsync(Pipeline pipeline, CancellationToken cancellationToken = default)
        {
            var now = Interlocked.Increment(ref _alive);
            for (var peak = Peak; now > peak && Interlocked.CompareExchange(ref _peak, now, peak) != peak; peak = Peak)
            {
            }

            try
            {
                return await inner.OutputBytesAsync(pipeline, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _alive);
            }
        }
    }
}
