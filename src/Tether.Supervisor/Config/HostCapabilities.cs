namespace Tether.Supervisor;

/// <summary>
/// What this host lets a supervisor do, as <see cref="ServiceSetChecks"/> needs it: which tree limits it can enforce,
/// whether it may switch users, and where programs are. A seam so that specs can describe any host.
/// </summary>
/// <param name="Limits">Whether each tree limit can be enforced here (<see cref="ContainmentReport.Limits"/>).</param>
/// <param name="IsRoot">True when the supervisor runs as root and so may run a service as another user.</param>
/// <param name="FindProgram">Resolves a program (name, the service's <c>PATH</c> or null, its working directory) the way
/// a run would; returns null when found, else the one-line reason it is not.</param>
internal sealed record HostCapabilities(IReadOnlyList<LimitSupport> Limits, bool IsRoot, Func<string, string?, string?, string?> FindProgram)
{
    /// <summary>This host, as it is now.</summary>
    public static HostCapabilities Current() => new(Containment.Probe().Limits, Environment.IsPrivilegedProcess, FindWithPath);

    private static string? FindWithPath(string program, string? pathVariable, string? workingDirectory)
    {
        try
        {
            ProgramSearch.Resolve(program, pathVariable, workingDirectory);
            return null;
        }
        catch (Exception exception) when (exception is ProgramNotFoundException or SpawnFailedException)
        {
            return exception.Message;
        }
    }
}
