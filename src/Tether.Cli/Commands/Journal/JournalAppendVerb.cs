using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tether.Journaling;

namespace Tether.Cli.Commands;

/// <summary><c>tether journal append DIR --type T [--job ID] [--data JSON|@FILE|-]</c>: appends one record and prints its seq.</summary>
internal sealed class JournalAppendVerb : JournalVerb
{
    private const string Usage = "DIR --type TYPE [--job ID] [--data JSON|@FILE|-]";

    /// <summary>The most bytes of JSON --data reads from a file or stdin: a record holds at most 1 MiB.</summary>
    private const int MaxDataBytes = 1024 * 1024;

    private const string Notes = """
        Prints the new record's seq alone on stdout, so scripts can keep it. The record is on stable storage
        when the seq is printed. The journal must exist: append never creates one ('tether journal init DIR'
        does).

        --data takes the JSON object itself, @FILE to read it from FILE, or - to read it from stdin: a payload
        too long for the command line (a record holds up to 1 MiB) goes through a file or a pipe.

        Exit codes: 0 appended; 1 no journal at DIR, or it cannot be written; 2 a bad type or job, or --data
        that is not a JSON object, names a file that does not exist, or is larger than 1 MiB.

        Examples:
          tether journal append ./journal --type deploy.started --job web-42 --data '{"version":"1.2.3"}'
          seq=$(tether journal append ./journal --type backup.done)
          tether journal append ./journal --type report.made --data @report.json
          generate-report | tether journal append ./journal --type report.made --data -

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
            HelpName = "JSON|@FILE|-",
            Description = "The record's payload: one JSON object, such as '{\"version\":\"1.2.3\"}'; @FILE reads it from FILE, - from stdin (up to 1 MiB).",
        };
        Add(type);
        Add(job);
        Add(data);
        SetAction((parse, _) =>
        {
            var dir = DirectoryPath(parse);
            var entry = Entry(parse.GetValue(type), parse.GetValue(job), Payload(parse.GetValue(data)));
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
    private static JournalEntry Entry(string? type, string? job, JsonObject? payload)
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

        return new JournalEntry(type, job, payload);
    }

    /// <summary>The payload --data gives: the JSON itself, @FILE, or - for stdin; null when --data is not given.</summary>
    private JsonObject? Payload(string? data)
    {
        if (data is null)
        {
            return null;
        }

        if (data == "-")
        {
            var stdin = Console.RedirectedStdin
                ?? throw new UsageException("--data -: stdin is a terminal: pipe the JSON in, as in 'generate | tether journal append DIR --type T --data -', or use --data @FILE.");
            return Parse("stdin", ReadBounded(stdin, "stdin"));
        }

        if (data.StartsWith('@'))
        {
            var path = data[1..];
            if (path.Length == 0)
            {
                throw new UsageException("--data @: no file name after '@': give the file, as in --data @payload.json.");
            }

            if (Directory.Exists(path))
            {
                throw new UsageException($"--data @{path}: it is a directory: give a file that holds one JSON object.");
            }

            try
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                return Parse($"'{path}'", ReadBounded(file, $"'{path}'"));
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new UsageException($"--data @{path}: the file does not exist: check the path.");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"--data @{path}: cannot read the file: {ex.Message}");
            }
        }

        return Parse("the value", System.Text.Encoding.UTF8.GetBytes(data));
    }

    /// <summary>Reads at most <see cref="MaxDataBytes"/> from <paramref name="source"/>; more is a usage error.</summary>
    private static byte[] ReadBounded(Stream source, string what)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = source.Read(chunk, 0, chunk.Length)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxDataBytes)
            {
                throw new UsageException($"--data: {what} holds more than 1 MiB, the most a record may hold: store the large content in a file and record its path or digest instead.");
            }
        }

        return buffer.ToArray();
    }

    /// <summary>One JSON object from <paramref name="utf8"/>; anything else is a usage error that says what to write.</summary>
    private static JsonObject Parse(string what, byte[] utf8)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(utf8);
        }
        catch (JsonException ex)
        {
            throw new UsageException($"--data: {what} is not valid JSON ({ex.Message}): give one JSON object, such as '{{\"version\":\"1.2.3\"}}' (quote it for the shell).");
        }

        return node as JsonObject
            ?? throw new UsageException($"--data: {what} is not a JSON object: give one object in braces, such as '{{\"version\":\"1.2.3\"}}'.");
    }
}
