using Tether.Lab;
using Tether.Supervisor.Tests.Runtime;

namespace Tether.Supervisor.Tests.Tracing;

/// <summary>
/// A real <see cref="Supervisor"/> records its engine's inputs when asked (<see cref="SupervisorOptions.TraceFile"/>):
/// a run with a crash, a restart and a readiness probe replays identically, explains its restart, and a trace file that
/// cannot be created stops the start in one line, with the project's directory released.
/// </summary>
public sealed class SupervisorRecordingSpecs
{
    [Fact]
    public async Task A_supervised_run_with_a_crash_and_a_restart_replays_identically_from_its_trace()
    {
        string path;
        await using (var project = await SupervisedProject.StartAsync(
            options => options with { TraceFile = Path.Combine(options.Services.ProjectDirectory, "run.trace") },
            SupervisedProject.Shell("db", "sleep 30") with { Ready = new ProbeDefinition { Kind = ProbeKind.Exec, Command = ["true"], Period = TimeSpan.FromMilliseconds(200) } },
            SupervisedProject.Shell("web", "if [ -f crashed ]; then exec sleep 30; fi; touch crashed; exit 3") with
            {
                DependsOn = [new Dependency("db", DependencyCondition.Ready)],
            }))
        {
            path = Path.Combine(project.Directory, "run.trace");
            await project.WaitUntilAsync(() => project.Starts("web") == 2 && project.Status("web").State == ServiceState.Ready, "web restarted and ready");
            Assert.Equal(0, await project.ShutdownAsync());

            var result = TraceAssert.ReplaysIdentically(path, new SupervisorTrace());

            var file = TraceFile.Read(path);
            var inputs = file.Events(new SupervisorInputCodec()).Select(r => r.Input).ToList();
            Assert.Equal(result.Events, inputs.Count);
            Assert.Equal((SupervisorTrace.EngineKind, 7UL), (file.Header.EngineKind, file.Header.Seed));
            Assert.IsType<SupervisorInput.Configure>(inputs[0]);
            Assert.Contains(inputs, i => i is SupervisorInput.Exited { Instance.Service: "web", Exit.ExitCode: 3 });
            Assert.Contains(inputs, i => i is SupervisorInput.ProbeCompleted { Instance.Service: "db", Passed: true });
            Assert.IsType<SupervisorInput.Shutdown>(inputs.Last(i => i is not SupervisorInput.Exited and not SupervisorInput.Tick and not SupervisorInput.ProbeCompleted));
            var why = new SupervisorTrace().Explain([file], "web");
            Assert.Contains(why, line => line.Contains("exited web#0", StringComparison.Ordinal) && line.Contains("restart_scheduled web#0", StringComparison.Ordinal) && line.Contains("(exit 3)", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_trace_file_that_cannot_be_created_stops_the_start_in_one_line_and_releases_the_directory()
    {
        var project = SupervisedProject.Create();
        await using (project)
        {
            var missing = Path.Combine(project.Directory, "no-such-dir", "run.trace");
            var ex = await Assert.ThrowsAsync<IOException>(() => project.StartSupervisorAsync(options => options with { TraceFile = missing }, SupervisedProject.Shell("web", "sleep 30")));

            Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', ex.Message);

            // Nothing started and the lock is free: a supervisor without the trace starts at once.
            await project.StartSupervisorAsync(options => options, SupervisedProject.Shell("web", "sleep 30"));
            await project.WaitForStateAsync("web", ServiceState.Ready);
        }
    }
}
