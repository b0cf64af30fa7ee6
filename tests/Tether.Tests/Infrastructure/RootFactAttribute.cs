namespace Tether.Tests.Infrastructure;

/// <summary>A fact that needs root (switching users, lowering niceness); skipped, saying so, when the tests run as anyone else.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Environment.UserName != "root" && !IsRoot())
        {
            Skip = "These specs switch users and raise priorities, which needs root; the CI and the dev container run as root.";
        }
    }

    private static bool IsRoot() => File.ReadLines("/proc/self/status").Any(l => l.StartsWith("Uid:\t0\t", StringComparison.Ordinal));
}
