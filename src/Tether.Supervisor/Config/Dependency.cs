namespace Tether.Supervisor;

/// <summary>One entry of <c>depends_on</c>: the service that must reach <paramref name="Condition"/> first.</summary>
/// <param name="Service">The name of the service depended on.</param>
/// <param name="Condition">What it must reach before the dependent starts.</param>
public sealed record Dependency(string Service, DependencyCondition Condition);

/// <summary>What a dependency must reach before its dependent starts.</summary>
public enum DependencyCondition
{
    /// <summary>Its process was started (every instance).</summary>
    Started,

    /// <summary>Its readiness probe passed (every instance); a service without one is ready once started.</summary>
    Ready,

    /// <summary>It exited with an exit code it counts as success (a one-shot job such as a migration).</summary>
    CompletedSuccessfully,
}
