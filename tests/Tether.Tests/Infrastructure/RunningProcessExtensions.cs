namespace Tether.Tests.Infrastructure;

internal static class RunningProcessExtensions
{
    /// <summary>True when <paramref name="line"/> appears (or already appeared) on stdout or stderr within <paramref name="within"/>.</summary>
    public static async Task<bool> ShowsLineWithinAsync(this RunningProcess process, string line, TimeSpan within)
    {
        try
        {
            await process.WaitForLineAsync(l => l == line, within);
            return true;
        }
        catch (NotReadyException)
        {
            return false;
        }
    }
}
