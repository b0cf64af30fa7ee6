namespace Tether.Cli.Tests.Infrastructure;

/// <summary>A <c>tether run</c> that must be refused as a usage error before anything runs.</summary>
internal static class RefusedRun
{
    /// <summary>
    /// Runs <c>tether run OPTIONS -- sh -c 'touch MARKER'</c> and asserts exit 2, one error line containing
    /// <paramref name="message"/>, and that the program never ran (the marker does not exist).
    /// </summary>
    public static async Task AssertUsageErrorAsync(string[] options, string message)
    {
        using var directory = new TempDirectory();
        var marker = directory.Child("ran");

        var result = await Tool.RunAsync(["run", .. options, "--", "/bin/sh", "-c", $"touch '{marker}'"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.SingleErrorLine(), StringComparison.Ordinal);
        Assert.False(File.Exists(marker), "the program ran although its options were refused");
    }
}
