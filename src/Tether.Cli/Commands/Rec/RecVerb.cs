using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tether.Sessions;

namespace Tether.Cli.Commands;

/// <summary>
/// The base of the <c>tether rec</c> verbs: the session-store errors the user can fix as one line, and the way
/// sessions, times and durations are shown.
/// </summary>
internal abstract class RecVerb : Verb
{
    /// <summary>How the verbs that take a session describe <c>NAME</c> in their help.</summary>
    protected const string Lookup = "NAME is a session's name or id; a name that is not found gets 'did you mean' suggestions.";

    protected RecVerb(VerbContext context, string name, string description, string usage, string notes)
        : base(context, name, description, usage, notes)
    {
    }

    /// <summary>The <c>NAME</c> argument of the verbs that take one session.</summary>
    protected static Argument<string> NameArgument() => new("NAME") { Description = "The session's name or id." };

    /// <summary>Runs the verb's work, turning the store's exceptions into one-line errors (exit 1).</summary>
    protected int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (SessionNotFoundException ex)
        {
            var message = ex.Message;
            if (ex.Suggestions.Count > 0 && !message.Contains("did you mean", StringComparison.OrdinalIgnoreCase))
            {
                message += $" Did you mean: {string.Join(", ", ex.Suggestions)}?";
            }

            return Fail($"rec {Name}: {Printable(CassetteMessages.Clause(message))}", JsonErrorCode.NotFound);
        }
        catch (Exception ex) when (ex is SessionAmbiguousException or SessionExistsException or SessionNameException or SessionFormatException
                                       or IOException or UnauthorizedAccessException or InvalidOperationException or RegexMatchTimeoutException)
        {
            return Fail($"rec {Name}: {Printable(Cause(ex))}");
        }
    }

    /// <summary>Every readable session of the store, oldest first; unreadable files are named on stderr.</summary>
    protected List<Session> ReadAll()
    {
        var store = SessionStore.Open();
        var sessions = new List<Session>();
        foreach (var summary in store.List())
        {
            if (!summary.IsReadable)
            {
                Warn($"cannot read '{summary.Path}': {summary.Unreadable}");
                continue;
            }

            try
            {
                sessions.Add(store.Load(summary.Id).Session);
            }
            catch (Exception ex) when (ex is SessionFormatException or IOException or UnauthorizedAccessException or SessionNotFoundException or SessionAmbiguousException)
            {
                Warn($"cannot read '{summary.Path}': {Cause(ex)}");
            }
        }

        return sessions;
    }

    /// <summary>Prints a session's tags, as <c>tag</c> and <c>untag</c> do after changing them.</summary>
    protected void PrintTags(SessionStore store, string nameOrId)
    {
        var session = store.Load(nameOrId).Session;
        var tags = session.Header.Tags;
        WriteLine($"'{Printable(session.Name)}' tags: {(tags.IsEmpty ? "(none)" : string.Join(", ", tags.Select(Printable)))}");
    }

    /// <summary>
    /// What went wrong, as one clause in the user's words: the cause .NET's message hides or gets wrong mapped to what
    /// it is (a parameter name, "Access to the path … is denied" for a directory or a file you may not touch, a missing
    /// file), the rest as its message with a lower-case start.
    /// </summary>
    protected static string Cause(Exception e) => e switch
    {
        // An ArgumentException's Message ends in " (Parameter 'name')", the library's parameter, not the user's word.
        ArgumentException { ParamName: { } param } a when a.Message.EndsWith($" (Parameter '{param}')", StringComparison.Ordinal) =>
            CassetteMessages.Clause(a.Message[..^$" (Parameter '{param}')".Length]),
        UnauthorizedAccessException when AccessDeniedPath(e.Message) is { } path => Directory.Exists(path)
            ? $"'{path}' is a directory, not a file"
            : $"permission denied on '{path}': check its owner and mode, or use another path",
        FileNotFoundException { FileName: { } file } => $"'{file}' does not exist",
        DirectoryNotFoundException => $"a directory on the way does not exist ({CassetteMessages.Clause(e.Message)})",
        _ => CassetteMessages.Clause(e.Message),
    };

    /// <summary>The path in .NET's "Access to the path 'X' is denied." message, or null.</summary>
    private static string? AccessDeniedPath(string message)
    {
        const string Before = "Access to the path '";
        const string After = "' is denied.";
        return message.StartsWith(Before, StringComparison.Ordinal) && message.EndsWith(After, StringComparison.Ordinal)
            ? message[Before.Length..^After.Length]
            : null;
    }

    /// <summary>Writes <c>rec VERB: warning: …</c> on stderr; the verb goes on.</summary>
    protected void Warn(string message) => Console.WriteError($"rec {Name}: warning: {Printable(message)}");

    /// <summary>The errors of recording that are the user's to fix: reported in one line, exit 1.</summary>
    protected static bool IsRecordingError(Exception e) =>
        e is RecordingException or ArgumentException or SessionExistsException or SessionFormatException
            or SessionAmbiguousException or IOException or UnauthorizedAccessException or InvalidOperationException;

    /// <summary>Errors of loading a session that are the user's to fix: one line, exit 1.</summary>
    protected static bool IsLoadError(Exception e) =>
        e is SessionNotFoundException or SessionAmbiguousException or SessionFormatException or SessionNameException
            or IOException or UnauthorizedAccessException;

    protected static string IdPrefix(string id) => id.Length > 8 ? id[..8] : id;

    protected static string StatusText(SessionStatus? status) => status switch
    {
        SessionStatus.Completed => "completed",
        SessionStatus.Interrupted => "interrupted",
        _ => "recording",
    };

    protected static string TimeText(DateTimeOffset? time) =>
        time is { } t ? t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "?";

    protected static string DurationText(TimeSpan duration) => duration.TotalSeconds switch
    {
        < 60 => duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s",
        < 3600 => string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalMinutes}m{duration.Seconds:00}s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalHours}h{duration.Minutes:00}m{duration.Seconds:00}s"),
    };

    /// <summary>"1 command", "3 commands": <paramref name="count"/> and <paramref name="noun"/>, plural unless one.</summary>
    protected static string Count(int count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");

    protected static void WriteTime(Utf8JsonWriter writer, string name, DateTimeOffset? time)
    {
        if (time is { } t)
        {
            writer.WriteString(name, t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    protected static void WriteStrings(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
