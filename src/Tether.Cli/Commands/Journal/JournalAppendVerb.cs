using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tether.Journaling;

namespace Tether.Cli.Commands;

/// <summary><c>tether journal append DIR --type T [--job ID] [--data JSON]</c>: appends one record and prints its seq.</summary>
internal sealed class JournalAppendVerb : JournalVerb
{
    private const string Usage = "DIR --type TYPE [--job ID] [--data JSON]";

    private const string Notes = """
        Prints the new record's seq alone on stdout, so scripts can keep it. The record is on stable storage
        when the seq is printed. The journal must exist: append never creates one.

        Exit codes: 0 appended; 1 no journal at DIR, or it cannot be written; 2 a bad type, job or JSON.

        Examples:
          tether journal append ./journal --type deploy.started --job web-42 --data '{"version":"1.2.3"}'
          seq=$(tether journal append ./journal --type backup.done)

        """;

    public JournalAppendVerb(VerbContext context)
        : base(context, "append", "Append one record to an existing journal and print its seq (durable when printed).", Usage, Notes)
    {
        var type = new Option<string>("--type")
        {
            HelpName = "TYPE",
            Required = true,
            Description = "The record type: dotted lower-case words of a-z, 0-9, _ and -, such as deploy.started (names starting with 'journal.' are reserved).",
        };
        var job = new Option<string>("--job")
        {
            HelpName = "ID",
            Description = "The job the record belongs to, such as build-42 (1 to 256 characters, no control characters).",
        };
        var data = new Option<string>("--data")
        {
            HelpName = "JSON",
            Description = "The record's payload: one JSON object, such as '{\"version\":\"1.2.3\"}'.",
        };
        Add(type);
        Add(job);
        Add(data);
        SetAction((parse, _) =>
        {
            var dir = DirectoryPath(parse);
            var entry = Entry(parse.GetValue(type), parse.GetValue(job), parse.GetValue(data));
            return GuardAsync(dir, () => AppendAsync(dir, entry));
        });
    }

    private async Task<int> AppendAsync(string directory, JournalEntry entry)
    {
        var journal = await Journal.OpenAsync(directory, new JournalOptions { CreateIfMissing = false }).ConfigureAwait(false);
        await using (journal.ConfigureAwait(false))
        {
            var seq = await journal.AppendAsync(entry).ConfigureAwait(false);
            WriteLine(seq.ToString(CultureInfo.InvariantCulture));
            return ExitCodes.Success;
        }
    }

    /// <summary>Checks the record's parts; anything wrong is a usage error that says what to write.</summary>
    private static JournalEntry Entry(string? type, string? job, string? data)
    {
        type ??= "";
        if (type.StartsWith(JournalEntry.ReservedTypePrefix, StringComparison.Ordinal))
        {
            throw new UsageException($"--type: '{type}' starts with '{JournalEntry.ReservedTypePrefix}', which is reserved for the journal's own records: choose another name, such as deploy.started.");
        }

        if (!JournalEntry.IsValidType(type))
        {
            throw new UsageException($"--type: '{type}' is not a record type: write dotted lower-case words of a-z, 0-9, _ and -, such as deploy.started (at most {JournalEntry.MaxTypeLength} characters).");
        }

        if (job is not null && (job.Length == 0 || job.Length > JournalEntry.MaxJobLength || job.Any(char.IsControl)))
        {
            throw new UsageException($"--job: '{job}' is not a job id: give 1 to {JournalEntry.MaxJobLength} characters without control characters, such as build-42.");
        }

        JsonObject? payload = null;
        if (data is not null)
        {
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(data);
            }
            catch (JsonException ex)
            {
                throw new UsageException($"--data: not valid JSON ({ex.Message}): give one JSON object, such as '{{\"version\":\"1.2.3\"}}' (quote it for the shell).");
            }

            payload = node as JsonObject
                ?? throw new UsageException($"--data: '{data}' is not a JSON object: give one object in braces, such as '{{\"version\":\"1.2.3\"}}'.");
        }

        return new JournalEntry(type, job, payload);
    }
}
