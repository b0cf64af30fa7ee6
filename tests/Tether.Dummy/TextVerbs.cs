using System.Collections;
using System.Text.Json;

namespace DummyProgram;

/// <summary>Verbs that print something fixed: arguments, environment, a line, an exit code.</summary>
internal static class TextVerbs
{
    /// <summary><c>echo-args ARG...</c>: the arguments as one JSON array, so every character can be checked.</summary>
    public static int EchoArgs(string[] args)
    {
        Output.Stdout.WriteLine(JsonSerializer.Serialize(args));
        return 0;
    }

    /// <summary>
    /// <c>print-env [NAME...]</c>: <c>NAME=VALUE</c> for each name, or <c>NAME</c> alone when it is unset;
    /// without names, every variable sorted by name.
    /// </summary>
    public static int PrintEnv(string[] names)
    {
        if (names.Length == 0)
        {
            var all = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
                .Select(e => ((string)e.Key, (string?)e.Value ?? ""))
                .OrderBy(e => e.Item1, StringComparer.Ordinal);
            foreach (var (name, value) in all)
            {
                Output.Stdout.WriteLine($"{name}={value}");
            }

            return 0;
        }

        foreach (var name in names)
        {
            var value = Environment.GetEnvironmentVariable(name);
            Output.Stdout.WriteLine(value is null ? name : $"{name}={value}");
        }

        return 0;
    }

    /// <summary><c>print TEXT</c> / <c>stderr TEXT</c>: one line on stdout or stderr.</summary>
    public static int Print(string[] args, bool toStderr)
    {
        (toStderr ? Output.Stderr : Output.Stdout).WriteLine(string.Join(' ', args));
        return 0;
    }

    /// <summary><c>crlf</c>: three lines ended by <c>\r\n</c>, the last one without a terminator.</summary>
    public static int Crlf()
    {
        Output.Stdout.Write("a\r\nb\r\nc");
        return 0;
    }

    /// <summary><c>exit N</c>: exits with code N.</summary>
    public static int Exit(string[] args) => Output.ParseInt(args[0]);
}
