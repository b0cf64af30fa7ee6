namespace Tether.Extensions.Hosting;

/// <summary>The <c>ILogger</c> categories Tether writes to; filter them like any other category ("Logging:LogLevel:Tether.Runs").</summary>
public static class TetherLogCategories
{
    /// <summary>Runs through the injected <see cref="IProcessRunner"/>: start, end, failure to start.</summary>
    public const string Runs = "Tether.Runs";

    /// <summary>A hosted journal: opened, closed, commits that failed.</summary>
    public const string Journal = "Tether.Journal";

    /// <summary>A hosted watcher: started, stalls, recoveries and refusals.</summary>
    public const string Watch = "Tether.Watch";

    /// <summary>A hosted supervisor: started, state changes, restarts, give-ups, stopped.</summary>
    public const string Supervision = "Tether.Supervision";
}
