namespace Tether.Supervisor;

/// <summary>
/// Everything one <c>tether.yaml</c> (or <c>Procfile</c>) asks for: the services, in the order the file names them.
/// An immutable value; a reload builds a new one and the engine compares the two service by service.
/// </summary>
/// <param name="ProjectDirectory">The absolute directory the file sits in; relative paths and <c>.tether/</c> are under it.</param>
/// <param name="Services">The services, in file order; names are unique.</param>
/// <param name="SourcePath">The file the set was read from, or null when it was built in code.</param>
public sealed record ServiceSet(string ProjectDirectory, IReadOnlyList<ServiceDefinition> Services, string? SourcePath = null)
{
    /// <summary>The service called <paramref name="name"/>, or null.</summary>
    public ServiceDefinition? Find(string name)
    {
        foreach (var service in Services)
        {
            if (string.Equals(service.Name, name, StringComparison.Ordinal))
            {
                return service;
            }
        }

        return null;
    }

    /// <summary>The directory that holds the supervisor's runtime state: journal, logs, control socket, traces.</summary>
    public string StateDirectory => Path.Combine(ProjectDirectory, ".tether");
}
