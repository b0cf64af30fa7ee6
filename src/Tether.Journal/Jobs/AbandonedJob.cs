namespace Tether.Journaling;

/// <summary>A job reconciliation marked as abandoned.</summary>
/// <param name="Job">The job.</param>
/// <param name="StartedSeq">The seq of its <c>job.started</c> record.</param>
/// <param name="AbandonedSeq">The seq of the <c>job.abandoned</c> record written for it.</param>
/// <param name="Reason">Why the job is considered abandoned.</param>
public sealed record AbandonedJob(string Job, ulong StartedSeq, ulong AbandonedSeq, string Reason);
