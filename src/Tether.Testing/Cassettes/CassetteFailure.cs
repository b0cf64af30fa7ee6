using System.Globalization;

namespace Tether.Testing;

/// <summary>
/// An error a recorded call returned instead of a result, as processkit stores it in an entry's <c>error</c> member
/// (format version 2 and later). A replay of the entry throws the matching Tether exception instead of playing output.
/// Tether reads and keeps these entries; it never records one itself (a run that fails to start records nothing).
/// </summary>
public sealed record CassetteFailure
{
    /// <summary>The kinds processkit writes, in its words.</summary>
    public static readonly IReadOnlyList<string> Kinds = ["Spawn", "NotFound", "Stdin", "OutputTooLarge", "Unsupported", "Io", "Other"];

    /// <summary>What failed: one of <see cref="Kinds"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>The name of the OS error's kind (<c>NotFound</c>, <c>PermissionDenied</c>, …) for Spawn, Stdin and Io.</summary>
    public string? OsKind { get; init; }

    /// <summary>The error's text, for Spawn, Stdin, Io and Other.</summary>
    public string? Message { get; init; }

    /// <summary>Where the program was looked for (NotFound), when known.</summary>
    public string? Searched { get; init; }

    /// <summary>The operation that is not supported (Unsupported).</summary>
    public string? Operation { get; init; }

    /// <summary>The line limit that was exceeded (OutputTooLarge), when there was one.</summary>
    public long? MaxLines { get; init; }

    /// <summary>The byte limit that was exceeded (OutputTooLarge), when there was one.</summary>
    public long? MaxBytes { get; init; }

    /// <summary>How many lines had been read when the limit was exceeded (OutputTooLarge).</summary>
    public long TotalLines { get; init; }

    /// <summary>How many bytes had been read when the limit was exceeded (OutputTooLarge).</summary>
    public long TotalBytes { get; init; }

    /// <summary>The failure in one line, for listings.</summary>
    public override string ToString() => Kind switch
    {
        "NotFound" => "program not found",
        "OutputTooLarge" => string.Create(CultureInfo.InvariantCulture, $"output too large ({TotalBytes} bytes)"),
        "Unsupported" => $"unsupported: {Operation}",
        _ => $"{Kind.ToLowerInvariant()} error: {Message}",
    };

    /// <summary>The exception a live run of <paramref name="program"/> would have thrown for this failure.</summary>
    internal Exception ToException(string program) => Kind switch
    {
        "Spawn" => new SpawnFailedException(program, Errno(OsKind), Message ?? "it could not be started"),
        "NotFound" => new ProgramNotFoundException(program, Searched is { Length: > 0 } searched ? [searched] : []),
        "Stdin" => new ProcessIOException($"Feeding standard input to '{program}' failed: {Message}"),
        "OutputTooLarge" => new OutputTooLargeException(program, "its output", MaxBytes ?? TotalBytes),
        "Unsupported" => new UnsupportedException(Operation ?? "The operation is not supported."),
        _ => new ProcessIOException($"'{program}' failed: {Message}"),
    };

    /// <summary>The Linux errno for the OS error kinds a spawn reports; 0 for the others.</summary>
    private static int Errno(string? osKind) => osKind switch
    {
        "NotFound" => 2,
        "PermissionDenied" => 13,
        "NotADirectory" => 20,
        "ExecutableFileBusy" => 26,
        _ => 0,
    };
}
