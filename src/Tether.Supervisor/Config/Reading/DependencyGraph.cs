namespace Tether.Supervisor;

/// <summary>
/// The checks on <c>depends_on</c> that need every service: each name must be a service of the file, and no chain of
/// dependencies may come back to where it started (such services could never start). A cycle is named in full,
/// <c>a → b → c → a</c>, at the first of its entries in the file.
/// </summary>
internal static class DependencyGraph
{
    /// <param name="services">The services that were read.</param>
    /// <param name="allNames">Every name under services:, including those whose settings had errors (already reported), so
    /// that depending on one of them is not reported again as an unknown name.</param>
    /// <param name="positions">Where each depends_on entry was written.</param>
    /// <param name="errors">Where the problems go.</param>
    public static void Check(IReadOnlyList<ServiceDefinition> services, IReadOnlySet<string> allNames, ConfigSourceMap positions, ConfigErrors errors)
    {
        var byName = new Dictionary<string, ServiceDefinition>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            byName.TryAdd(service.Name, service);
        }

        foreach (var service in services)
        {
            foreach (var dependency in service.DependsOn)
            {
                if (!allNames.Contains(dependency.Service))
                {
                    var (line, column) = positions.Find($"{service.Name}/depends_on/{dependency.Service}");
                    var message = errors.IsFull ? "" : $"service '{service.Name}' depends on '{ConfigScalar.Shorten(dependency.Service)}', which is not a service in this file{ConfigKeys.DidYouMean(dependency.Service, allNames)}; the services are {string.Join(", ", allNames.Take(20))}.";
                    errors.Add(line, column, message);
                }
            }
        }

        foreach (var cycle in Cycles(services, byName))
        {
            var (line, column) = positions.Find($"{cycle[0]}/depends_on/{cycle[1]}");
            var message = cycle.Count == 2
                ? $"service '{cycle[0]}' depends on itself; remove '{cycle[0]}' from its depends_on."
                : $"dependency cycle {Shown(cycle)}: none of these could ever start; remove one of these depends_on entries.";
            errors.Add(line, column, message);
        }
    }

    /// <summary>The cycle as <c>a → b → c → a</c>; a long one with its middle left out, so the error stays one readable line.</summary>
    private static string Shown(List<string> cycle) => cycle.Count <= 12
        ? string.Join(" → ", cycle)
        : string.Join(" → ", cycle.Take(6)) + $" → … ({cycle.Count - 10} more) → " + string.Join(" → ", cycle.TakeLast(4));

    /// <summary>The most cycles reported: each is one error, and one is enough to act on.</summary>
    private const int MaxCycles = 10;

    /// <summary>Each cycle once (at most <see cref="MaxCycles"/>), as the names along it with the first repeated at the end.</summary>
    private static List<List<string>> Cycles(IReadOnlyList<ServiceDefinition> services, Dictionary<string, ServiceDefinition> byName)
    {
        // An iterative depth-first search (a long chain must not overflow the stack), colouring each service: absent =
        // unvisited, false = on the current path, true = finished. An edge to a service on the path closes a cycle.
        var state = new Dictionary<string, bool>(StringComparer.Ordinal);
        var cycles = new List<List<string>>();
        foreach (var root in services)
        {
            if (state.ContainsKey(root.Name))
            {
                continue;
            }

            var path = new List<string>();
            var pending = new Stack<(ServiceDefinition Service, int Next)>();
            pending.Push((root, 0));
            state[root.Name] = false;
            path.Add(root.Name);
            while (pending.Count > 0)
            {
                var (service, next) = pending.Pop();
                if (next >= service.DependsOn.Count)
                {
                    state[service.Name] = true;
                    path.RemoveAt(path.Count - 1);
                    continue;
                }

                pending.Push((service, next + 1));
                var target = service.DependsOn[next].Service;
                if (!byName.TryGetValue(target, out var dependency))
                {
                    continue;
                }

                if (!state.TryGetValue(target, out var finished))
                {
                    state[target] = false;
                    path.Add(target);
                    pending.Push((dependency, 0));
                }
                else if (!finished && cycles.Count < MaxCycles)
                {
                    var start = path.IndexOf(target);
                    cycles.Add([.. path.Skip(start), target]);
                }
            }
        }

        return cycles;
    }
}
