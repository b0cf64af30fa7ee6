using System.Text;
using System.Text.Json.Nodes;
using Tether.Text;

namespace Tether;

/// <summary>
/// Builds the journal records of a run from its <see cref="Command"/>, through the <see cref="RedactionPolicy"/>:
/// nothing secret and no environment value is ever in them. The caller appends them to its journal (a
/// <c>JournalEntry(record.Type, job, record.Data)</c>); the record format is described in docs/formats/journal.md.
/// </summary>
public static class CommandRecord
{
    /// <summary>The type of a record of a command a job ran.</summary>
    public const string Type = "job.command";

    /// <summary>
    /// A <c>job.command</c> record: <c>program</c>, <c>args</c> (secrets masked), <c>cwd</c> when set (as an absolute path), <c>exit_code</c>,
    /// <c>signal</c>, <c>duration_ms</c> when known, and, when given, <c>stdout</c>/<c>stderr</c> (secrets masked, cut to
    /// <see cref="CommandRecordOptions.MaxOutputBytes"/> with a visible marker) with their original sizes in
    /// <c>stdout_bytes</c>/<c>stderr_bytes</c>. The environment is never recorded.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static RunRecord For(Command command, CommandRun run, CommandRecordOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(run);
        options ??= new CommandRecordOptions();
        options.Validate();
        var redactor = options.Redaction.For(command);
        var args = new JsonArray();
        foreach (var argument in redactor.Arguments)
        {
            args.Add((JsonNode?)JsonValue.Create(argument));
        }

        var data = new JsonObject
        {
            ["program"] = redactor.Program,
            ["args"] = args,
        };
        if (command.WorkingDirectory is not null)
        {
            // Absolute, resolved against this process's current directory now: a relative path read back later, from
            // another directory, would name somewhere else.
            data["cwd"] = Path.GetFullPath(command.WorkingDirectory);
        }

        data["exit_code"] = run.ExitCode;
        data["signal"] = run.Signal;
        if (run.Duration is { } duration)
        {
            data["duration_ms"] = Math.Round(duration.TotalMilliseconds, 3);
        }

        AddOutput(data, "stdout", run.Stdout, run.OutputIsSecret, redactor, options);
        AddOutput(data, "stderr", run.Stderr, run.OutputIsSecret, redactor, options);
        return new RunRecord(Type, data);
    }

    /// <summary>The data of a <c>job.submitted</c> record for <paramref name="command"/>: its <c>program</c>, secrets
    /// masked.</summary>
    public static JsonObject Submitted(Command command, RedactionPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        return new JsonObject { ["program"] = (policy ?? RedactionPolicy.Default).Redact(command.Program) };
    }

    private static void AddOutput(JsonObject data, string name, string? text, bool secret, Redactor redactor, CommandRecordOptions options)
    {
        if (text is null)
        {
            return;
        }

        data[name] = secret ? RedactionPolicy.Mask : Utf8Text.Cut(redactor.Output(text), options.MaxOutputBytes, CutKeep.HeadAndTail);
        data[name + "_bytes"] = Encoding.UTF8.GetByteCount(text);
    }
}
