namespace Tether;

/// <summary>
/// Finds the file a program name stands for, exactly as a run would before spawning it, so that a tool can report a
/// missing program before anything starts (the supervisor's <c>tether up --check</c> does).
/// </summary>
public static class ProgramSearch
{
    /// <summary>
    /// Resolves <paramref name="program"/>: a name with a slash is a path (a relative one is taken from
    /// <paramref name="workingDirectory"/> when given, else from the current directory); any other name is looked up in
    /// each directory of <paramref name="pathVariable"/>, or of this process's <c>PATH</c> when it is null.
    /// </summary>
    /// <returns>The absolute path of the executable file.</returns>
    /// <exception cref="ProgramNotFoundException">No such file; the exception lists where Tether looked.</exception>
    /// <exception cref="SpawnFailedException">The file exists but is a directory or not executable.</exception>
    public static string Resolve(string program, string? pathVariable = null, string? workingDirectory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        ProcessRunner.EnsureSupportedPlatform();
        return Spawning.ProgramResolver.Resolve(program, pathVariable ?? Environment.GetEnvironmentVariable("PATH"), workingDirectory);
    }
}
