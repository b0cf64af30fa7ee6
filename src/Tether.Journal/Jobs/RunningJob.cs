namespace Tether.Journaling;

/// <summary>A job left open because the process that started it is still alive.</summary>
/// <param name="Job">The job.</param>
/// <param name="StartedSeq">The seq of its <c>job.started</c> record.</param>
/// <param name="ProcessId">The live writer's pid.</param>
public sealed record RunningJob(string Job, ulong StartedSeq, int ProcessId);
