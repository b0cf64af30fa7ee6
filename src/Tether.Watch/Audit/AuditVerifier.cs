using System.Globalization;

namespace Tether.Watch;

/// <summary>
/// Checks audit log files (docs/formats/audit.md) and names the first bad row: each file's header, every row's
/// syntax, seq continuity (one more each row, across files) and chain, and that each file continues the one before.
/// Only reads; never changes a file.
/// </summary>
public static class AuditVerifier
{
    /// <summary>
    /// Checks <paramref name="files"/> as one log, oldest first (<c>FILE.3 FILE.2 FILE.1 FILE</c>). The first file
    /// may continue an earlier one that is not given (its header's <c>prev-seq</c>/<c>prev-chain</c> are then taken on
    /// trust, see <see cref="AuditVerification.PreviousSeq"/>); every later file must continue the one before it. A
    /// torn final row is a problem (<see cref="AuditProblemKind.Torn"/>) until <see cref="AuditLog.Open"/> repairs it.
    /// </summary>
    /// <param name="files">The files, oldest first; at least one.</param>
    /// <returns>Valid with the totals, or the first problem.</returns>
    /// <exception cref="ArgumentException">No file given, or an empty path.</exception>
    public static AuditVerification Verify(params string[] files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Length == 0)
        {
            throw new ArgumentException("Give at least one audit file to verify.", nameof(files));
        }

        foreach (var file in files)
        {
            ArgumentException.ThrowIfNullOrEmpty(file, nameof(files));
        }

        var given = files.ToArray();
        long rows = 0;
        ulong? firstSeq = null;
        ulong? previousSeq = null;
        AuditAnchor? last = null;
        for (var i = 0; i < given.Length; i++)
        {
            var file = given[i];
            AuditFileScan scan;
            try
            {
                if (Directory.Exists(file))
                {
                    return Result(new AuditProblem(AuditProblemKind.Unreadable, file, null, null, "it is a directory, not an audit file"));
                }

                if (!File.Exists(file))
                {
                    return Result(new AuditProblem(AuditProblemKind.Missing, file, null, null, "it does not exist"));
                }

                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
                scan = AuditFileScanner.Scan(stream, file, isNewest: i == given.Length - 1, last);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return Result(new AuditProblem(AuditProblemKind.Unreadable, file, null, null, $"it cannot be read: {ex.Message}"));
            }

            if (i == 0 && scan.HasHeader)
            {
                previousSeq = scan.HeaderPreviousSeq;
            }

            rows += scan.Rows;
            firstSeq ??= scan.FirstSeq;
            if (scan.HasHeader)
            {
                last = scan.Last;
            }

            if (scan.Problem is { } problem)
            {
                return Result(problem);
            }
        }

        return Result(null);

        AuditVerification Result(AuditProblem? problem) => new(
            given,
            rows,
            firstSeq,
            rows > 0 ? last?.Seq : null,
            previousSeq,
            last is { } end ? AuditFormat.Hex(end.Chain) : null,
            problem);
    }

    /// <summary>
    /// Checks the live log <paramref name="path"/> together with every rotated generation beside it
    /// (<see cref="FindGenerations"/>), oldest first. A generation missing from the middle makes the check fail.
    /// </summary>
    /// <param name="path">The live file, as given to <see cref="AuditLog.Open"/>.</param>
    public static AuditVerification VerifyGenerations(string path) => Verify([.. FindGenerations(path)]);

    /// <summary>
    /// The files of the log at <paramref name="path"/>, oldest first: every <c>PATH.N</c> beside it (N a whole number
    /// of 1 or more), highest N first, then <paramref name="path"/> itself. Gaps in the numbering are kept, so that
    /// verification reports them.
    /// </summary>
    /// <param name="path">The live file, as given to <see cref="AuditLog.Open"/>.</param>
    public static IReadOnlyList<string> FindGenerations(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var directory = Path.GetDirectoryName(path);
        var name = Path.GetFileName(path);
        var generations = new List<(ulong Number, string Path)>();
        var listed = string.IsNullOrEmpty(directory) ? "." : directory;
        if (Directory.Exists(listed))
        {
            var simple = new EnumerationOptions { MatchType = MatchType.Simple, AttributesToSkip = 0, IgnoreInaccessible = true };
            foreach (var entry in Directory.EnumerateFileSystemEntries(listed, name + ".*", simple))
            {
                var entryName = Path.GetFileName(entry);
                var suffix = entryName.Length > name.Length + 1 ? entryName[(name.Length + 1)..] : "";
                if (AuditFormat.TryParseSeq(suffix, out var number))
                {
                    generations.Add((number, path + "." + suffix));
                }
            }
        }

        generations.Sort((a, b) => b.Number.CompareTo(a.Number));
        return [.. generations.Select(g => g.Path), path];
    }

    /// <summary>The generation file <c>PATH.N</c>.</summary>
    internal static string Generation(string path, int number) => path + "." + number.ToString(CultureInfo.InvariantCulture);
}
