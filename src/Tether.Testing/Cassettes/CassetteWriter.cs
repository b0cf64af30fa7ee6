using System.Text.Json;

namespace Tether.Testing.Cassettes;

/// <summary>
/// Writes entries in the layout of the version being written: the members in the order processkit writes them for
/// that version, optional members only when set, <c>code</c> always. Versions 1 and 2 put <c>cwd</c> before
/// <c>stdin_digest</c>; versions 3 and 4 put the key first (<c>stdin_digest</c>, then <c>match_digest</c>), then
/// <c>cwd</c>. The output extension <c>stdout_b64</c>/<c>stderr_b64</c> follows its text member.
/// </summary>
internal static class CassetteWriter
{
    /// <summary>Writes <paramref name="entry"/> as an object in a cassette of <paramref name="version"/>.</summary>
    public static void WriteEntry(Utf8JsonWriter writer, CassetteEntry entry, int version)
    {
        var keyFirst = version >= Cassette.FirstVersionWithoutWorkingDirectoryInKey;
        writer.WriteStartObject();
        writer.WriteString("program", Cassette.Lossy(entry.Program));
        writer.WriteStartArray("args");
        foreach (var argument in entry.Arguments)
        {
            writer.WriteStringValue(Cassette.Lossy(argument));
        }

        writer.WriteEndArray();
        if (keyFirst)
        {
            WriteDigests(writer, entry, version);
            WriteWorkingDirectory(writer, entry);
        }
        else
        {
            WriteWorkingDirectory(writer, entry);
            WriteDigests(writer, entry, version);
        }

        if (entry.HasStdin)
        {
            writer.WriteBoolean("has_stdin", true);
        }

        if (!entry.EnvironmentNames.IsEmpty)
        {
            writer.WriteStartArray("env_names");
            foreach (var name in entry.EnvironmentNames)
            {
                writer.WriteStringValue(Cassette.Lossy(name));
            }

            writer.WriteEndArray();
        }

        writer.WriteString("stdout", Cassette.Lossy(entry.Stdout));
        if (entry.StdoutBytes is { } stdout)
        {
            writer.WriteBase64String("stdout_b64", stdout.Span);
        }

        writer.WriteString("stderr", Cassette.Lossy(entry.Stderr));
        if (entry.StderrBytes is { } stderr)
        {
            writer.WriteBase64String("stderr_b64", stderr.Span);
        }

        WriteOutcome(writer, entry);
        if (entry.Truncated)
        {
            writer.WriteBoolean("truncated", true);
        }

        WritePositive(writer, "total_lines", entry.TotalLines);
        WritePositive(writer, "total_bytes", entry.TotalBytes);
        WritePositive(writer, "duration_ms", (long)entry.Duration.TotalMilliseconds);
        if (entry.Failure is { } failure)
        {
            WriteFailure(writer, failure);
        }

        writer.WriteEndObject();
    }

    private static void WriteWorkingDirectory(Utf8JsonWriter writer, CassetteEntry entry)
    {
        if (entry.WorkingDirectory is { } cwd)
        {
            writer.WriteString("cwd", Cassette.Lossy(cwd));
        }
    }

    private static void WriteDigests(Utf8JsonWriter writer, CassetteEntry entry, int version)
    {
        if (entry.StdinDigest is { } digest)
        {
            writer.WriteNumber("stdin_digest", digest);
        }

        // From version 3 on the working directory is not part of processkit's key; an entry keyed on it says so the
        // way version 4 can, with the digest of processkit's match_on_cwd() policy.
        var match = entry.MatchDigest;
        if (match is null && entry.MatchesWorkingDirectory && version >= Cassette.FirstVersionWithMatchDigest)
        {
            match = MatchDigest.OfWorkingDirectory(entry.WorkingDirectory is { } cwd ? Cassette.Lossy(cwd) : null);
        }

        if (match is { } value)
        {
            writer.WriteNumber("match_digest", value);
        }
    }

    private static void WriteOutcome(Utf8JsonWriter writer, CassetteEntry entry)
    {
        if (entry.Failure is not null)
        {
            // An entry that failed has no outcome: processkit writes code null and nothing else.
            writer.WriteNull("code");
            return;
        }

        switch (entry.Outcome)
        {
            case Outcome.Exited exited:
                writer.WriteNumber("code", exited.Code);
                break;
            case Outcome.TimedOut:
                writer.WriteNull("code");
                writer.WriteBoolean("timed_out", true);
                break;
            case Outcome.Signalled signalled:
                writer.WriteNull("code");
                if (signalled.Signal is { } signal)
                {
                    writer.WriteNumber("signal", signal.Number);
                }

                break;
        }
    }

    private static void WritePositive(Utf8JsonWriter writer, string name, long value)
    {
        if (value > 0)
        {
            writer.WriteNumber(name, value);
        }
    }

    private static void WriteFailure(Utf8JsonWriter writer, CassetteFailure failure)
    {
        // serde's internally tagged layout: "kind" first, then the variant's fields in declaration order.
        writer.WriteStartObject("error");
        writer.WriteString("kind", failure.Kind);
        switch (failure.Kind)
        {
            case "Spawn" or "Stdin" or "Io":
                writer.WriteString("os_kind", Cassette.Lossy(failure.OsKind ?? "Other"));
                writer.WriteString("message", Cassette.Lossy(failure.Message ?? ""));
                break;
            case "NotFound":
                WriteOptional(writer, "searched", failure.Searched);
                break;
            case "OutputTooLarge":
                WriteOptional(writer, "max_lines", failure.MaxLines);
                WriteOptional(writer, "max_bytes", failure.MaxBytes);
                writer.WriteNumber("total_lines", failure.TotalLines);
                writer.WriteNumber("total_bytes", failure.TotalBytes);
                break;
            case "Unsupported":
                writer.WriteString("operation", Cassette.Lossy(failure.Operation ?? ""));
                break;
            default:
                writer.WriteString("message", Cassette.Lossy(failure.Message ?? ""));
                break;
        }

        writer.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, Cassette.Lossy(value));
        }
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
