namespace Tether.Tests.Infrastructure;

/// <summary>A fact that needs this host to enforce a tree limit; skipped, with the reason Tether gives, where it cannot.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LimitFactAttribute : FactAttribute
{
    public LimitFactAttribute(TreeLimit limit)
    {
        var support = Containment.Probe().Limits[(int)limit];
        if (!support.Enforceable)
        {
            Skip = $"This host cannot enforce a {limit} limit: {support.UnavailableReason}.";
        }
    }
}
