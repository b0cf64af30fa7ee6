namespace Tether.Cli;

/// <summary>
/// The <c>code</c> of a <c>--json</c> error object (see <see cref="JsonLine.Error"/>): a word a script can branch on.
/// A verb may document words of its own (<c>cassette verify</c> names the cassette's problem).
/// </summary>
internal static class JsonErrorCode
{
    /// <summary>The command line is wrong (exit 2).</summary>
    public const string Usage = "usage";

    /// <summary>The file, directory or session named does not exist.</summary>
    public const string NotFound = "not_found";

    /// <summary>A journal or audit log has damage: a bad checksum, a broken chain, a missing record.</summary>
    public const string Damaged = "damaged";

    /// <summary>Any other failure the user can fix (exit 1): damage, a file that is not what it should be, no permission.</summary>
    public const string Failed = "failed";
}
