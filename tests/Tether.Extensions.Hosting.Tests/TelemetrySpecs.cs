using System.Diagnostics;
using System.Text.Json.Nodes;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Tether.Journaling;
using Tether.Telemetry;

namespace Tether.Extensions.Hosting.Tests;

/// <summary>Tether's spans and metrics as OpenTelemetry's SDK sees them, through its in-memory exporter.</summary>
public sealed class TelemetrySpecs
{
    [Fact]
    public async Task A_run_is_a_span_with_the_program_name_pid_outcome_and_exit_code_and_never_its_arguments()
    {
        // Arrange
        var spans = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddTetherInstrumentation().AddInMemoryExporter(spans).Build();
        var command = new Command("/bin/sh").WithArguments("-c", "exit 4", "sh", "--password", "arg-secret-81")
            .WithEnvironmentVariable("API_TOKEN", "env-secret-82");

        // Act
        var result = await ProcessRunner.Default.OutputStringAsync(command.ToPipeline());
        tracing.ForceFlush();
        var finished = Finished(tracing, spans);

        // Assert
        var span = Assert.Single(finished, s => s.GetTagItem("process.pid") is int pid && pid == result.Pid);
        Assert.Equal(RunTelemetry.RunSpan, span.DisplayName);
        Assert.Equal("sh", span.GetTagItem("process.executable.name"));
        Assert.Equal(4, span.GetTagItem("process.exit.code"));
        Assert.Equal("exited", span.GetTagItem("tether.run.outcome"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(result.Duration, span.Duration);
        var everything = string.Join(' ', span.TagObjects.Select(t => t.Key + "=" + t.Value));
        Assert.DoesNotContain("arg-secret-81", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("env-secret-82", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("exit 4", everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pipeline_is_one_span_naming_each_stage_s_program()
    {
        // Arrange
        var spans = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddTetherInstrumentation().AddInMemoryExporter(spans).Build();
        var pipeline = new Command("/bin/echo").WithArguments("a") | new Command("/bin/cat");

        // Act
        var result = await ProcessRunner.Default.OutputStringAsync(pipeline);
        tracing.ForceFlush();
        var finished = Finished(tracing, spans);

        // Assert
        var span = Assert.Single(finished, s => s.GetTagItem("process.pid") is int pid && pid == result.Pid);
        Assert.Equal(RunTelemetry.PipelineSpan, span.DisplayName);
        Assert.Equal(2, span.GetTagItem("tether.pipeline.stages"));
        Assert.Equal(new[] { "echo", "cat" }, (string[])span.GetTagItem("tether.pipeline.executables")!);
        Assert.Equal(0, span.GetTagItem("process.exit.code"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
    }

    [Fact]
    public async Task A_program_that_is_not_found_is_an_error_span()
    {
        // Arrange
        var spans = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddTetherInstrumentation().AddInMemoryExporter(spans).Build();

        // Act
        await Assert.ThrowsAsync<ProgramNotFoundException>(() => ProcessRunner.Default.OutputStringAsync(new Command("tether-16-missing-program").ToPipeline()));
        tracing.ForceFlush();
        var finished = Finished(tracing, spans);

        // Assert
        var span = Assert.Single(finished, s => Equals(s.GetTagItem("process.executable.name"), "tether-16-missing-program"));
        Assert.Equal("not_started", span.GetTagItem("tether.run.outcome"));
        Assert.Equal(typeof(ProgramNotFoundException).FullName, span.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
    }

    [Fact]
    public async Task Runs_count_spawns_and_record_durations_and_output_bytes()
    {
        // Arrange
        var metrics = new List<Metric>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddTetherInstrumentation().AddInMemoryExporter(metrics).Build();

        // Act
        await ProcessRunner.Default.OutputStringAsync(new Command("/bin/sh").WithArguments("-c", "printf 12345").ToPipeline());
        meters.ForceFlush();

        // Assert: other specs run at the same time, so the figures are at least this run's.
        Assert.True(Sum(metrics, "tether.process.spawns") >= 1);
        Assert.True(Sum(metrics, "tether.run.output.bytes") >= 5);
        Assert.True(HistogramCount(metrics, "tether.run.duration") >= 1);
    }

    [Fact]
    public async Task A_journal_commit_batch_is_a_span_and_appends_and_commit_latency_are_measured()
    {
        // Arrange
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddTetherInstrumentation().AddInMemoryExporter(spans).Build();
        using var meters = Sdk.CreateMeterProviderBuilder().AddTetherInstrumentation().AddInMemoryExporter(metrics).Build();
        var directory = Directory.CreateTempSubdirectory("tether-telemetry-");
        try
        {
            // Act
            await using (var journal = await Journal.OpenAsync(directory.FullName))
            {
                await journal.AppendAsync(new JournalEntry("test.secret", data: new JsonObject { ["value"] = "journal-secret-83" }));
            }

            tracing.ForceFlush();
            var finished = Finished(tracing, spans);
            meters.ForceFlush();

            // Assert
            var span = Assert.Single(finished, s => s.DisplayName == JournalTelemetry.CommitSpan && Equals(s.GetTagItem("tether.journal.directory"), directory.FullName));
            Assert.Equal(1, span.GetTagItem("tether.journal.records"));
            Assert.DoesNotContain(span.TagObjects, t => t.Value?.ToString()?.Contains("journal-secret-83", StringComparison.Ordinal) == true);
            Assert.True(Sum(metrics, "tether.journal.appends") >= 1);
            Assert.True(HistogramCount(metrics, "tether.journal.commit.duration") >= 1);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The spans the exporter holds once the provider stopped listening. The exporter appends from whichever thread ends
    /// an activity, and other specs' runs end theirs at any moment, so the list is read only after the provider is
    /// disposed (a second disposal by the spec's <c>using</c> is harmless), and copied again if an append was in flight.
    /// </summary>
    internal static Activity[] Finished(TracerProvider tracing, List<Activity> spans)
    {
        tracing.Dispose();
        while (true)
        {
            try
            {
                return spans.ToArray();
            }
            catch (ArgumentException)
            {
                // The list grew between reading its size and copying it: copy again.
            }
        }
    }

    internal static long Sum(IEnumerable<Metric> metrics, string name)
    {
        long sum = 0;
        foreach (var metric in metrics.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                sum += point.GetSumLong();
            }
        }

        return sum;
    }

    internal static long HistogramCount(IEnumerable<Metric> metrics, string name)
    {
        long count = 0;
        foreach (var metric in metrics.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                count += point.GetHistogramCount();
            }
        }

        return count;
    }
}
