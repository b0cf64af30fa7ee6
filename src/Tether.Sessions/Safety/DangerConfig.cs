using System.Text.Json;

namespace Tether.Sessions;

/// <summary>
/// The danger settings of the recording configuration file: a preset and custom patterns, read by
/// <c>tether rec replay</c>. The file is JSON:
/// <code>
/// { "danger": { "preset": "moderate",
///               "patterns": [ { "id": "deploy_prod", "pattern": "deploy\\s+prod", "reason": "deploys to production" } ] } }
/// </code>
/// Each pattern is a regular expression matched case-insensitively against every simple command of a line (see
/// <see cref="DangerRules.WithPattern"/>). Found at <c>$TETHER_REC_CONFIG</c>, else <c>$XDG_CONFIG_HOME/tether/rec.json</c>,
/// else <c>~/.config/tether/rec.json</c>; a missing default file means no custom patterns.
/// </summary>
public static class DangerConfig
{
    /// <summary>The environment variable that names the configuration file.</summary>
    public const string PathVariable = "TETHER_REC_CONFIG";

    /// <summary>The largest configuration file read: 1 MiB.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>Where the configuration file is looked for when none is given.</summary>
    public static string DefaultPath()
    {
        if (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } explicitPath)
        {
            return explicitPath;
        }

        var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(config, "tether", "rec.json");
    }

    /// <summary>
    /// The rules: the preset <paramref name="preset"/> when given, else the file's, else moderate; plus the file's
    /// patterns. A missing file at <paramref name="path"/> is no configuration when <paramref name="required"/> is false.
    /// </summary>
    /// <exception cref="FormatException">The file is not valid: the message names the file and what is wrong.</exception>
    /// <exception cref="FileNotFoundException">A required file does not exist.</exception>
    public static DangerRules Load(string path, DangerPreset? preset = null, bool required = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw new FormatException($"The danger configuration '{path}' is a directory; give the JSON file.");
        }

        if (!File.Exists(path))
        {
            if (required)
            {
                throw new FileNotFoundException($"The danger configuration '{path}' does not exist.", path);
            }

            return DangerRules.For(preset ?? DangerPreset.Moderate);
        }

        var info = new FileInfo(path);
        if (info.Length > MaxBytes)
        {
            throw new FormatException($"The danger configuration '{path}' is larger than {MaxBytes / 1024} KiB.");
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"The danger configuration '{path}' cannot be read ({(e is UnauthorizedAccessException ? "permission denied" : e.Message)}).", e);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new FormatException($"The danger configuration '{path}' is not valid JSON (line {(e.LineNumber ?? 0) + 1}): {e.Message}", e);
        }

        using (document)
        {
            return Parse(document.RootElement, path, preset);
        }
    }

    private static DangerRules Parse(JsonElement root, string path, DangerPreset? preset)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("danger", out var danger))
        {
            return DangerRules.For(preset ?? DangerPreset.Moderate);
        }

        if (danger.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, "\"danger\" must be an object with \"preset\" and \"patterns\"");
        }

        var filePreset = DangerPreset.Moderate;
        if (danger.TryGetProperty("preset", out var presetElement))
        {
            filePreset = StringOf(presetElement, path, "\"danger.preset\"") is { } presetName && Enum.TryParse<DangerPreset>(presetName, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                ? parsed
                : throw Invalid(path, "\"danger.preset\" must be \"minimal\", \"moderate\" or \"strict\"");
        }

        var patterns = new List<DangerPattern>();
        if (danger.TryGetProperty("patterns", out var list))
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw Invalid(path, "\"danger.patterns\" must be an array");
            }

            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                patterns.Add(new DangerPattern(Text(item, "id", index, path), Text(item, "pattern", index, path), Text(item, "reason", index, path)));
                index++;
            }
        }

        try
        {
            return DangerRules.FromConfig(preset ?? filePreset, patterns);
        }
        catch (ArgumentException e)
        {
            throw Invalid(path, e.Message);
        }
    }

    private static string Text(JsonElement item, string name, int index, string path) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out var value) && StringOf(value, path, $"pattern {index}'s \"{name}\"") is { Length: > 0 } text
            ? text
            : throw Invalid(path, $"pattern {index} needs a non-empty string \"{name}\"");

    /// <summary>A JSON string's text; null when it is not a string. The file is the user's: a string that is not
    /// Unicode (invalid UTF-8, a lone surrogate escape such as <c>\ud800</c>) is a configuration error, not a crash.</summary>
    private static string? StringOf(JsonElement value, string path, string what)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        string text;
        try
        {
            text = value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw NotText(path, what); // invalid UTF-8 cannot be transcoded
        }

        // An escaped lone surrogate decodes without complaint; it is no more text than an invalid byte.
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                throw NotText(path, what);
            }
        }

        return text;
    }

    private static FormatException NotText(string path, string what) =>
        Invalid(path, $"{what} is not valid text (invalid UTF-8, or an escape such as \\ud800 that is half a character)");

    private static FormatException Invalid(string path, string what) => new($"The danger configuration '{path}': {what}.");
}
