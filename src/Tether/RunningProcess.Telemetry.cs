using System.Diagnostics;
using Tether.Telemetry;

namespace Tether;

/// <summary>A run seen by whoever listens to <see cref="RunTelemetry"/>: taken only when someone does.</summary>
public sealed partial class RunningProcess
{
    /// <summary>
    /// Reports the spawn now and the end of the run when it comes. The constructor calls this only while someone
    /// listens, so an unobserved run pays for neither this state machine nor a clock read.
    /// </summary>
    private async Task<ProcessResult<byte[]>> ObserveAsync(Task<ProcessResult<byte[]>> run, Activity? activity)
    {
        RunTelemetry.Spawned(activity, _tree.Pids, _tree.Mechanism);
        try
        {
            var result = await run.ConfigureAwait(false);
            RunTelemetry.Ended(activity, result, DroppedLines);
            return result;
        }
        catch (Exception ex)
        {
            RunTelemetry.Failed(activity, ex, _time.GetElapsedTime(_startTimestamp));
            throw;
        }
    }
}
