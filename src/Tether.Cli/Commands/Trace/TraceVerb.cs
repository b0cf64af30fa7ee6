using System.CommandLine;
using Tether.Lab;

namespace Tether.Cli.Commands;

/// <summary>
/// What the <c>trace</c> verbs share: reading trace files (a missing file, a file that is not a trace, and a trace of an
/// engine this tool does not know each become one line and exit 1), and the JSON error object in a result document.
/// </summary>
internal abstract class TraceVerb(VerbContext context, string name, string description, string usage, string notes)
    : Verb(context, name, description, usage, notes)
{
    /// <summary>Adds the FILE argument (one file).</summary>
    protected Argument<string> AddFileArgument(string description = "The trace file.")
    {
        var file = new Argument<string>("FILE") { Description = description };
        Add(file);
        return file;
    }

    /// <summary>Adds the FILE... argument: one recording, oldest file first.</summary>
    protected Argument<string[]> AddFilesArgument()
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "The trace file; for a rotated recording, every file from the first, oldest first (FILE.2 FILE.1 FILE).",
            Arity = ArgumentArity.OneOrMore,
        };
        Add(files);
        return files;
    }

    /// <summary>Reads the files and finds their engine; on failure reports it (one line, exit 1) and returns null.</summary>
    protected (List<TraceFile> Files, IEngineTrace Engine)? Read(IReadOnlyList<string> paths, out int exitCode)
    {
        exitCode = ExitCodes.Success;
        var files = new List<TraceFile>();
        foreach (var path in paths)
        {
            if (string.IsNullOrEmpty(path))
            {
                throw new UsageException($"trace {Name}: a file name is empty: give the trace's path, as in 'tether trace {Name} ./watch.trace'.");
            }

            try
            {
                files.Add(TraceFile.Read(path));
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                exitCode = Fail($"trace {Name}: '{Printable(path)}' does not exist: check the path (a file written by 'tether watch --trace FILE' or 'tether lab run').", JsonErrorCode.NotFound);
                return null;
            }
            catch (TraceFormatException ex)
            {
                exitCode = Fail($"trace {Name}: '{Printable(path)}' is not a readable trace: {ex.Message}.", JsonErrorCode.Damaged);
                return null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                exitCode = Fail($"trace {Name}: '{Printable(path)}' could not be read: {ex.Message}");
                return null;
            }
        }

        var kind = files[0].Header.EngineKind;
        if (TraceEngines.For(kind) is not { } engine)
        {
            exitCode = Fail($"trace {Name}: '{Printable(files[0].Name)}' is a trace of engine '{Printable(kind)}', which this tether does not know (it knows: {TraceEngines.Known}).", JsonErrorCode.Damaged);
            return null;
        }

        if (files[0].Header.EngineVersion != engine.Version)
        {
            exitCode = Fail($"trace {Name}: '{Printable(files[0].Name)}' is a trace of {kind} engine version {files[0].Header.EngineVersion}; this tether's is version {engine.Version}: use the tether that recorded it.", JsonErrorCode.Damaged);
            return null;
        }

        return (files, engine);
    }

    /// <summary>Runs <paramref name="action"/>, turning a trace that does not decode or does not form one recording into one line and exit 1.</summary>
    protected int Guard(Func<int> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            return action();
        }
        catch (TraceFormatException ex)
        {
            return Fail($"trace {Name}: {Printable(ex.Message)}.", JsonErrorCode.Damaged);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail($"trace {Name}: {Printable(ex.Message)}");
        }
    }

    /// <summary>Writes the <c>error</c> key of a result document: null, or the code and message.</summary>
    protected static void WriteError(System.Text.Json.Utf8JsonWriter writer, string? code, string? message)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (code is null)
        {
            writer.WriteNull("error");
            return;
        }

        writer.WriteStartObject("error");
        writer.WriteString("code", code);
        writer.WriteString("message", message);
        writer.WriteEndObject();
    }

    /// <summary>Milliseconds on the engine's clock, for text output.</summary>
    protected static string Ms(TimeSpan time) => time.TotalMilliseconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + "ms";
}
