using System.Diagnostics;
using Tether.Telemetry;

namespace Tether.Tests.Telemetry;

/// <summary>Runs as spans on the <c>Tether</c> activity source, seen through a plain <see cref="ActivityListener"/>.</summary>
public sealed class RunTelemetrySpecs
{
    [Fact]
    public async Task A_run_is_a_span_with_its_program_name_pid_containment_and_exit_code_and_no_arguments()
    {
        // Arrange
        var spans = new List<Activity>();
        using var listener = Listen(spans);
        var command = Shell.Command("exit 2").AddSecretArgument("run-secret-61");

        // Act
        var result = await ProcessRunner.Default.OutputStringAsync(command.ToPipeline());

        // Assert
        Activity span;
        lock (spans)
        {
            span = Assert.Single(spans, s => Equals(s.GetTagItem("process.pid"), result.Pid));
        }

        Assert.Equal(RunTelemetry.RunSpan, span.DisplayName);
        Assert.Equal("sh", span.GetTagItem("process.executable.name"));
        Assert.Equal(2, span.GetTagItem("process.exit.code"));
        Assert.Equal(result.Mechanism == ContainmentMechanism.Cgroup ? "cgroup" : "process_group", span.GetTagItem("tether.containment"));
        Assert.Equal(result.Duration, span.Duration);
        Assert.DoesNotContain(span.TagObjects, t => t.Value is string text && (text.Contains("run-secret-61", StringComparison.Ordinal) || text.Contains("exit 2", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_cancelled_run_ends_its_span_as_cancelled()
    {
        // Arrange
        var spans = new List<Activity>();
        using var listener = Listen(spans);
        using var cancellation = new CancellationTokenSource();
        var process = await ProcessRunner.Default.StartAsync(Shell.Command("sleep 30").WithCancellation(cancellation.Token).ToPipeline());

        // Act
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => process.WaitAsync().Soon());
        await process.DisposeAsync();

        // Assert
        lock (spans)
        {
            var span = Assert.Single(spans, s => Equals(s.GetTagItem("process.pid"), process.Pid));
            Assert.Equal("canceled", span.GetTagItem("tether.run.outcome"));
            Assert.Equal(ActivityStatusCode.Error, span.Status);
        }
    }

    private static ActivityListener Listen(List<Activity> spans)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RunTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (spans)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
