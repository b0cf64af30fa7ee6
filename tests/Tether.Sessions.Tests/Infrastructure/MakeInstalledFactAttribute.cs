namespace Tether.Sessions.Tests;

/// <summary>A fact that runs GNU make; skipped, saying so, on a machine without <c>make</c> on its PATH.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MakeInstalledFactAttribute : FactAttribute
{
    public MakeInstalledFactAttribute()
    {
        if (Find() is null)
        {
            Skip = "GNU make is not on this machine's PATH, so an exported Makefile cannot be run here (the specs never install it).";
        }
    }

    /// <summary>The full path of <c>make</c>, or null.</summary>
    public static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "make"))
            .FirstOrDefault(File.Exists);
}
