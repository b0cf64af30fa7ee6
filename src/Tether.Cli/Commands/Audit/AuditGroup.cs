namespace Tether.Cli.Commands;

/// <summary>
/// <c>tether audit VERB FILE…</c>: checks the watcher's hash-chained audit log (docs/formats/audit.md). No verb changes
/// a file.
/// </summary>
internal sealed class AuditGroup(VerbContext context) : VerbGroup(
    context,
    "audit",
    "Check the watcher's hash-chained audit log.",
    usage: null,
    Notes,
    new AuditVerifyVerb(context))
{
    private const string Notes = """
        The audit log is the watcher's record of its decisions: boot, spawn, complete and refused rows, tab-
        separated, each with a seq and a chain value (SHA-256 over the row and the chain before it), so an
        edited, removed or reordered row breaks verification. When it grows past its size it rotates: FILE
        becomes FILE.1, FILE.1 becomes FILE.2, and so on; each new file's header links to the last row before.

        Exit codes: 0 the log verified; 1 it did not, or a FILE does not exist; 2 a usage error.

        Examples:
          tether audit verify /var/lib/tether/audit.log
          tether audit verify /var/lib/tether/audit.log --generations
          tether audit verify audit.log.2 audit.log.1 audit.log --json

        """;
}
