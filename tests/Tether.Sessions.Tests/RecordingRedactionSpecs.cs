namespace Tether.Sessions.Tests;

/// <summary>
/// A recorded session never stores a secret typed on a command line: the line is kept, with each secret the
/// <see cref="RedactionPolicy"/> finds in its shell words masked as <c>***</c>.
/// </summary>
public sealed class RecordingRedactionSpecs
{
    [Theory]
    [InlineData("mysql -u root -p s3ss-pass-1 -e 'select 1'", "mysql -u root -p *** -e 'select 1'")]
    [InlineData("curl -H 'Authorization: Bearer s3ss-bearer-2' https://api", "curl -H 'Authorization: Bearer ***' https://api")]
    [InlineData("export API_KEY=s3ss-key-3", "export API_KEY=***")]
    [InlineData("deploy --password=s3ss-pass-4 --region eu", "deploy --password=*** --region eu")]
    [InlineData("git push https://bot:s3ss-url-5@example.com/r.git", "git push https://bot:***@example.com/r.git")]
    [InlineData("make build", "make build")]
    public void A_secret_on_a_recorded_command_line_is_stored_masked(string typed, string stored)
    {
        // Arrange: this test process stands in for the shell and writes the spool the hooks would.
        using var sandbox = new RecordingSandbox();
        var recorder = sandbox.Recorder();
        recorder.Start(Environment.ProcessId, "secrets", "bash");
        var key = ShellProcess.TryFind(Environment.ProcessId)!.Value.Key;
        File.AppendAllText(Path.Combine(sandbox.StateDirectory, key + ".spool"), $"B\t1769862000\t/srv\t{typed}\nE\t1769862001\t0\n");

        // Act
        var saved = recorder.Stop(Environment.ProcessId);

        // Assert
        Assert.Equal(stored, Assert.Single(sandbox.Store.Load("secrets").Session.Commands).Command);
        Assert.DoesNotContain("s3ss-", File.ReadAllText(saved.Path), StringComparison.Ordinal);
    }
}
