using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace Tether.Testing.Cassettes;

/// <summary>
/// Reads a parsed cassette document: the version first (so a newer cassette says so rather than failing on a field),
/// then every entry with the fields and the key of its version (see docs/formats/cassette.md, "Versions").
/// </summary>
/// <remarks>
/// Every version is read with every field processkit has ever written, as processkit's own reader does; what the
/// version decides is the key. In versions 1 and 2 the working directory is part of it; in versions 3 and 4 it is
/// stored only to be read, and version 4's <c>match_digest</c> carries it when processkit was asked to key on it.
/// </remarks>
internal static class CassetteReader
{
    /// <summary>Reads the version and the entries of <paramref name="root"/>.</summary>
    /// <exception cref="CassetteException">Not a cassette, a version tether does not read, or an invalid entry.</exception>
    /// <exception cref="InvalidOperationException">A string that is not valid UTF-8 text.</exception>
    public static Cassette Read(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(source, $"is a JSON {Describe(root.ValueKind)}, not an object with \"version\" and \"entries\"");
        }

        if (!root.TryGetProperty("version", out var versionElement))
        {
            throw Invalid(source, "has no \"version\"");
        }

        if (versionElement.ValueKind != JsonValueKind.Number || !versionElement.TryGetInt64(out var number))
        {
            throw Invalid(source, "has a \"version\" that is not a whole number");
        }

        if (number is < Cassette.OldestVersion or > Cassette.NewestVersion)
        {
            var what = number > Cassette.NewestVersion
                ? "It is newer than tether knows: update tether, or record it again with tether."
                : "Fix the version or record the cassette again.";
            throw new CassetteException(CassetteProblem.UnsupportedVersion, source,
                string.Create(CultureInfo.InvariantCulture, $"Cassette '{source}': version {number} is not supported; tether reads versions {Cassette.OldestVersion} to {Cassette.NewestVersion}. {what}"));
        }

        var version = (int)number;
        if (!root.TryGetProperty("entries", out var entries) || entries.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(source, "has no \"entries\" array");
        }

        var result = ImmutableArray.CreateBuilder<CassetteEntry>(entries.GetArrayLength());
        var index = 0;
        foreach (var element in entries.EnumerateArray())
        {
            result.Add(ReadEntry(element, new Place(source, index, version)));
            index++;
        }

        return new Cassette(result.MoveToImmutable(), version);
    }

    private static CassetteEntry ReadEntry(JsonElement element, Place at)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw at.Invalid($"is a JSON {Describe(element.ValueKind)}, not an object");
        }

        var program = RequiredString(element, "program", at);
        if (program.Length == 0)
        {
            throw at.Invalid("has an empty \"program\"");
        }

        var arguments = StringArray(element, "args", at, required: true);
        var cwd = OptionalString(element, "cwd", at);
        var digest = OptionalUInt64(element, "stdin_digest", at);
        var matchDigest = OptionalUInt64(element, "match_digest", at);
        var hasStdin = OptionalBool(element, "has_stdin", at);
        var environment = StringArray(element, "env_names", at, required: false);
        var stdout = RequiredString(element, "stdout", at);
        var stderr = RequiredString(element, "stderr", at);
        var stdoutBytes = OptionalBase64(element, "stdout_b64", at);
        var stderrBytes = OptionalBase64(element, "stderr_b64", at);
        var code = OptionalInt32(element, "code", at, "a 32-bit integer or null");
        var timedOut = OptionalBool(element, "timed_out", at);
        var signal = OptionalInt32(element, "signal", at, "an integer or null");
        var truncated = OptionalBool(element, "truncated", at);
        var totalLines = (long?)OptionalUInt64(element, "total_lines", at, long.MaxValue) ?? 0;
        var totalBytes = (long?)OptionalUInt64(element, "total_bytes", at, long.MaxValue) ?? 0;
        var durationMs = OptionalUInt64(element, "duration_ms", at, (ulong)TimeSpan.MaxValue.TotalMilliseconds) ?? 0;
        var failure = Present(element, "error", out var errorElement) ? ReadFailure(errorElement, at) : null;

        var set = (code is not null ? 1 : 0) + (timedOut ? 1 : 0) + (signal is not null ? 1 : 0);
        if (failure is not null && set > 0)
        {
            throw at.Invalid("has both an \"error\" and one of \"code\", \"timed_out\" and \"signal\"; an entry that failed has no outcome");
        }

        if (set > 1)
        {
            throw at.Invalid("sets more than one of \"code\", \"timed_out\" and \"signal\"; an entry ends exactly one way");
        }

        Outcome outcome;
        if (timedOut)
        {
            outcome = new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.Zero);
        }
        else if (code is { } exitCode)
        {
            outcome = new Outcome.Exited(exitCode);
        }
        else if (signal is { } signalNumber)
        {
            if (signalNumber is < 1 or > 64)
            {
                throw at.Invalid(string.Create(CultureInfo.InvariantCulture, $"has \"signal\": {signalNumber}, which is not a signal number (1 to 64)"));
            }

            outcome = new Outcome.Signalled(new Signal(signalNumber));
        }
        else
        {
            outcome = new Outcome.Signalled(null);
        }

        return new CassetteEntry
        {
            Program = program,
            Arguments = arguments,
            WorkingDirectory = cwd,
            MatchesWorkingDirectory = at.Version < Cassette.FirstVersionWithoutWorkingDirectoryInKey,
            MatchDigest = matchDigest,
            StdinDigest = digest,
            HasStdin = hasStdin,
            EnvironmentNames = environment,
            Stdout = stdout,
            Stderr = stderr,
            StdoutBytes = stdoutBytes,
            StderrBytes = stderrBytes,
            Outcome = outcome,
            Truncated = truncated,
            TotalLines = totalLines,
            TotalBytes = totalBytes,
            Duration = TimeSpan.FromMilliseconds(durationMs),
            Failure = failure,
        };
    }

    private static CassetteFailure ReadFailure(JsonElement element, Place at)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw at.Invalid("has an \"error\" that is not an object");
        }

        var error = at.Within("error");
        var kind = RequiredString(element, "kind", error);
        return kind switch
        {
            "Spawn" or "Stdin" or "Io" => new CassetteFailure
            {
                Kind = kind,
                OsKind = RequiredString(element, "os_kind", error),
                Message = RequiredString(element, "message", error),
            },
            "NotFound" => new CassetteFailure { Kind = kind, Searched = OptionalString(element, "searched", error) },
            "OutputTooLarge" => new CassetteFailure
            {
                Kind = kind,
                MaxLines = (long?)OptionalUInt64(element, "max_lines", error, long.MaxValue),
                MaxBytes = (long?)OptionalUInt64(element, "max_bytes", error, long.MaxValue),
                TotalLines = (long)(OptionalUInt64(element, "total_lines", error, long.MaxValue) ?? throw error.Invalid("has no \"total_lines\"")),
                TotalBytes = (long)(OptionalUInt64(element, "total_bytes", error, long.MaxValue) ?? throw error.Invalid("has no \"total_bytes\"")),
            },
            "Unsupported" => new CassetteFailure { Kind = kind, Operation = RequiredString(element, "operation", error) },
            "Other" => new CassetteFailure { Kind = kind, Message = RequiredString(element, "message", error) },
            _ => throw error.Invalid($"has \"kind\": \"{kind}\", which tether does not know (it knows {string.Join(", ", CassetteFailure.Kinds)})"),
        };
    }

    private static bool Present(JsonElement element, string name, out JsonElement value) =>
        element.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static string RequiredString(JsonElement element, string name, Place at)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            throw at.Invalid($"has no \"{name}\"");
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw at.Invalid($"has a \"{name}\" that is not a string");
    }

    private static string? OptionalString(JsonElement element, string name, Place at)
    {
        if (!Present(element, name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw at.Invalid($"has a \"{name}\" that is not a string");
    }

    private static bool OptionalBool(JsonElement element, string name, Place at)
    {
        if (!Present(element, name, out var value))
        {
            return false;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw at.Invalid($"has a \"{name}\" that is not true or false"),
        };
    }

    private static int? OptionalInt32(JsonElement element, string name, Place at, string expected)
    {
        if (!Present(element, name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : throw at.Invalid($"has a \"{name}\" that is not {expected}");
    }

    private static ulong? OptionalUInt64(JsonElement element, string name, Place at, ulong max = ulong.MaxValue)
    {
        if (!Present(element, name, out var value))
        {
            return null;
        }

        // Parsed as an integer, never as a double: digests go above 2^53.
        if (value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var number) && number <= max)
        {
            return number;
        }

        throw at.Invalid(max == ulong.MaxValue
            ? $"has a \"{name}\" that is not an unsigned 64-bit number"
            : string.Create(CultureInfo.InvariantCulture, $"has a \"{name}\" that is not a whole number from 0 to {max}"));
    }

    private static ImmutableArray<string> StringArray(JsonElement element, string name, Place at, bool required)
    {
        if (!Present(element, name, out var value))
        {
            return required ? throw at.Invalid($"has no \"{name}\" array") : [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw at.Invalid($"has a \"{name}\" that is not an array of strings");
        }

        var items = ImmutableArray.CreateBuilder<string>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            items.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw at.Invalid($"has a \"{name}\" item that is not a string"));
        }

        return items.MoveToImmutable();
    }

    private static ReadOnlyMemory<byte>? OptionalBase64(JsonElement element, string name, Place at)
    {
        if (!Present(element, name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw at.Invalid($"has a \"{name}\" that is not a string");
        }

        try
        {
            return Convert.FromBase64String(value.GetString()!);
        }
        catch (FormatException)
        {
            throw at.Invalid($"has a \"{name}\" that is not base64 (RFC 4648, with padding)");
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "value",
    };

    private static CassetteException Invalid(string source, string what) =>
        new(CassetteProblem.InvalidEntry, source, $"Cassette '{source}' {what}; it is not a cassette tether reads. Fix or re-record it.");

    /// <summary>Where a field is read: the file, the entry, the version, and the member within the entry if any.</summary>
    private readonly record struct Place(string Source, int Index, int Version, string? Member = null)
    {
        public Place Within(string member) => this with { Member = member };

        public CassetteException Invalid(string what)
        {
            var where = Member is null ? "" : $"\"{Member}\" ";
            return new(CassetteProblem.InvalidEntry, Source,
                string.Create(CultureInfo.InvariantCulture, $"Cassette '{Source}': entry {Index} {where}{what}. Fix or re-record it."));
        }
    }
}
