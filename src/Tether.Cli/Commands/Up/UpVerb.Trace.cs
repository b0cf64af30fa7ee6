using System.CommandLine;
using Tether.Lab;
using Tether.Supervisor;

namespace Tether.Cli.Commands;

/// <summary><c>tether up --trace FILE [--trace-max-size SIZE] [--trace-keep N]</c>: record the engine's inputs for replay.</summary>
internal sealed partial class UpVerb
{
    private readonly Option<string> _trace = new("--trace") { HelpName = "FILE", Description = "Record every input of the supervisor's engine to this trace file (replay it with 'tether trace replay FILE')." };
    private readonly Option<string> _traceMaxSize = new("--trace-max-size") { HelpName = "SIZE", Description = "Rotate the trace when it would pass SIZE, such as 64M [default: 64M, at least 256K]." };
    private readonly Option<string> _traceKeep = new("--trace-keep") { HelpName = "N", Description = "Rotated trace files kept (FILE.1 … FILE.N), 0 to 100 [default: 3]." };

    /// <summary>The trace file (absolute) and its rotation, or nulls without --trace.</summary>
    /// <exception cref="UsageException">A trace option is given without --trace, or is out of range.</exception>
    private (string? File, TraceWriterOptions? Options) TraceSettings(ParseResult parse)
    {
        var trace = parse.GetValue(_trace);
        if (trace is null && (parse.GetValue(_traceMaxSize) is not null || parse.GetValue(_traceKeep) is not null))
        {
            throw new UsageException($"up: {(parse.GetValue(_traceMaxSize) is not null ? "--trace-max-size" : "--trace-keep")} configures the trace, so it needs --trace FILE as well.");
        }

        if (trace is null)
        {
            return (null, null);
        }

        if (trace.Length == 0)
        {
            throw new UsageException("up: --trace: the path is empty: give the trace file to write.");
        }

        var max = OptionValues.Size("--trace-max-size", parse.GetValue(_traceMaxSize)) ?? SupervisorTraceRecorder.DefaultOptions.MaxFileBytes;
        if (max < TraceWriterOptions.MinFileBytes)
        {
            throw new UsageException($"up: --trace-max-size: {Sizes.Format(max)} is too small: a trace file needs at least 256K.");
        }

        var keep = OptionValues.Integer("--trace-keep", parse.GetValue(_traceKeep), 0, 100, "3") ?? SupervisorTraceRecorder.DefaultOptions.Generations;
        return (Path.GetFullPath(trace), SupervisorTraceRecorder.DefaultOptions with { MaxFileBytes = max, Generations = keep });
    }

    /// <summary>The trace options as the background supervisor of -d gets them.</summary>
    private void AddTraceArguments(ParseResult parse, List<string> arguments)
    {
        if (TraceSettings(parse).File is not { } file)
        {
            return;
        }

        arguments.AddRange(["--trace", file]);
        if (parse.GetValue(_traceMaxSize) is { } max)
        {
            arguments.AddRange(["--trace-max-size", max]);
        }

        if (parse.GetValue(_traceKeep) is { } keep)
        {
            arguments.AddRange(["--trace-keep", keep]);
        }
    }
}
