namespace Tether.Supervisor;

/// <summary>
/// A configuration file that cannot be used. <see cref="Exception.Message"/> is the first error in one line
/// (<c>tether.yaml:12:5: unknown key 'comand' in service 'web' (did you mean 'command'?)</c>); <see cref="Errors"/> has all.
/// </summary>
public sealed class ConfigurationException : Exception
{
    /// <summary>Creates the exception from at least one error.</summary>
    public ConfigurationException(IReadOnlyList<ConfigurationError> errors)
        : base(errors is { Count: > 0 } ? errors[0].ToString() : "The configuration is invalid.")
    {
        Errors = errors ?? [];
    }

    /// <summary>Every error found, in file order.</summary>
    public IReadOnlyList<ConfigurationError> Errors { get; }
}

/// <summary>One error in a configuration file, with where it is.</summary>
/// <param name="File">The file's path as the user gave it.</param>
/// <param name="Line">The line, from 1 (0 when the error is about the whole file).</param>
/// <param name="Column">The column, from 1 (0 when unknown).</param>
/// <param name="Message">What is wrong and what to do, in one line.</param>
public sealed record ConfigurationError(string File, int Line, int Column, string Message)
{
    /// <summary><c>FILE:LINE:COLUMN: MESSAGE</c>.</summary>
    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}: {Message}" : $"{File}: {Message}";
}
