using System.CommandLine;
using System.Text.Json;
using Tether.Watch;

namespace Tether.Cli.Commands;

/// <summary><c>tether audit verify FILE... [--generations] [--json]</c>: checks audit log files as one hash-chained log.</summary>
internal sealed class AuditVerifyVerb : Verb
{
    private const string Usage = "FILE... [--generations] [--json]";

    private const string Notes = """
        Checks the files as one log, oldest first: each starts with a '#tether-audit v1' header; each row
        reads (seq, time, kind, chain, key=value fields); every seq is one more than the one before, across
        files; every chain is the SHA-256 of the row and the chain before it; and every file's header links to
        the last row of the file before it. The oldest file given may continue an earlier one that is not
        given (rotation deletes old generations); its header's link is then taken on trust and said so.

        A valid log prints 'FILE...: ok, N rows, seq A–B'. Otherwise one line on stderr names the first bad
        row: its file, line and seq, and what is wrong — malformed, torn (a row cut short by a crash; the
        watcher repairs it when it next opens the log), edited, removed, reordered, unlinked or bad_header.
        A FILE that does not exist is named as such. Verify only reads: it never changes a file.

        Exit codes: 0 the log verified; 1 it did not, or a FILE does not exist; 2 a usage error.

        Examples:
          tether audit verify /var/lib/tether/audit.log --generations
          tether audit verify audit.log.3 audit.log.2 audit.log.1 audit.log
          tether audit verify audit.log --json | jq .problem

        """;

    public AuditVerifyVerb(VerbContext context)
        : base(context, "verify", "Check audit log files: header, row syntax, seq continuity, the hash chain and the links between rotated files.", Usage, Notes)
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "The audit log files, oldest first (FILE.2 FILE.1 FILE); or, with --generations, the live file alone.",
            Arity = ArgumentArity.OneOrMore,
        };
        var generations = new Option<bool>("--generations")
        {
            Description = "FILE is the live log: check it together with every rotated FILE.N beside it, oldest first.",
        };
        Add(files);
        Add(generations);
        var json = AddJsonOption("Print one JSON object: files, valid, rows, first_seq, last_seq, prev_seq, last_chain, problem (null, or kind, file, line, seq, detail) and error (null, or code not_found or damaged, and message).");
        SetAction(parse => Verify(parse.GetValue(files) ?? [], parse.GetValue(generations), parse.GetValue(json)));
    }

    private int Verify(string[] given, bool generations, bool json)
    {
        if (given.Length == 0 || given.Any(string.IsNullOrEmpty))
        {
            throw new UsageException("audit verify: a file name is empty: give the audit log's path, as in 'tether audit verify ./audit.log'.");
        }

        if (generations && given.Length > 1)
        {
            throw new UsageException("audit verify: --generations takes the live file alone (it finds FILE.1, FILE.2, … itself): give one FILE, or leave out --generations and list the files oldest first.");
        }

        var result = generations ? AuditVerifier.VerifyGenerations(given[0]) : AuditVerifier.Verify(given);
        var (code, failure) = result.Problem switch
        {
            null => (null, null),
            { Kind: AuditProblemKind.Missing } missing => (JsonErrorCode.NotFound, $"audit verify: '{Printable(missing.File)}' does not exist: check the path (the watcher's audit log, or one of its rotated generations FILE.N)."),
            { } problem => (JsonErrorCode.Damaged, $"audit verify: {Printable(problem.ToString())}"),
        };
        if (json)
        {
            WriteJson(writer => WriteJson(writer, result, code, failure));
        }
        else if (result.IsValid)
        {
            WriteLine(Printable(result.ToString()));
        }

        return failure is null ? ExitCodes.Success : Fail(failure);
    }

    private static void WriteJson(Utf8JsonWriter writer, AuditVerification result, string? code, string? failure)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("files");
        foreach (var file in result.Files)
        {
            writer.WriteStringValue(file);
        }

        writer.WriteEndArray();
        writer.WriteBoolean("valid", result.IsValid);
        writer.WriteNumber("rows", result.Rows);
        WriteNumber(writer, "first_seq", result.FirstSeq);
        WriteNumber(writer, "last_seq", result.LastSeq);
        WriteNumber(writer, "prev_seq", result.PreviousSeq);
        if (result.LastChain is { } chain)
        {
            writer.WriteString("last_chain", chain);
        }
        else
        {
            writer.WriteNull("last_chain");
        }

        if (result.Problem is { } problem)
        {
            writer.WriteStartObject("problem");
            writer.WriteString("kind", problem.KindName);
            writer.WriteString("file", problem.File);
            if (problem.Line is { } line)
            {
                writer.WriteNumber("line", line);
            }
            else
            {
                writer.WriteNull("line");
            }

            WriteNumber(writer, "seq", problem.Seq);
            writer.WriteString("detail", problem.Detail);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("problem");
        }

        if (code is not null && failure is not null)
        {
            JsonLine.WriteError(writer, code, failure);
        }
        else
        {
            writer.WriteNull("error");
        }

        writer.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, ulong? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
