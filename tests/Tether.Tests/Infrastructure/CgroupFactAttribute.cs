namespace Tether.Tests.Infrastructure;

/// <summary>A fact that needs cgroup v2 containment; skipped, with the reason Tether gives, on a host without it.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CgroupFactAttribute : FactAttribute
{
    public CgroupFactAttribute()
    {
        var report = Containment.Probe();
        if (!report.CgroupAvailable)
        {
            Skip = $"This host offers no cgroup v2 containment ({report.CgroupUnavailableReason}); only a cgroup can hold a setsid descendant.";
        }
    }
}
