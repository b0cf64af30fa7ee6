using System.Text;
using Tether.Cli.Tests.Infrastructure;
using Tether.Journaling;

namespace Tether.Cli.Tests;

/// <summary>
/// The journal verbs on a journal whose record 4 has a right checksum but a <c>type</c> that is not Unicode text (an
/// unpaired <c>\ud800</c> escape): no verb aborts with a stack trace, <c>verify</c> names the record, and the journal
/// can still be appended to when that record is the last one.
/// </summary>
public sealed class InvalidUtf8Specs : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string JournalPath => _temp.Child("journal");

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("show")]
    [InlineData("show", "--tolerant")]
    [InlineData("tail", "-n", "10")]
    [InlineData("stats")]
    public async Task Reading_verbs_never_abort_on_a_record_that_is_not_text(params string[] verb)
    {
        await CreateJournalWithBadRecordAsync(last: false);

        var result = await Tool.RunAsync(["journal", verb[0], JournalPath, .. verb[1..]], stdin: null);

        AssertNoCrash(result);
        if (verb.Contains("--tolerant"))
        {
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains(result.StdoutLines, l => l.StartsWith("#5 ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Verify_reports_the_record_that_is_not_text()
    {
        await CreateJournalWithBadRecordAsync(last: false);

        var result = await Tool.RunAsync("journal", "verify", JournalPath);

        AssertNoCrash(result);
        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Contains("InvalidText", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Append_works_when_the_last_record_is_not_text()
    {
        await CreateJournalWithBadRecordAsync(last: true);

        var result = await Tool.RunAsync("journal", "append", JournalPath, "--type", "deploy.step");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("5", result.Stdout.Trim());
    }

    private static void AssertNoCrash(CliResult result)
    {
        Assert.DoesNotContain("Unhandled exception", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.True(result.StderrLines.Length <= 1, result.ToString());
    }

    private async Task CreateJournalWithBadRecordAsync(bool last)
    {
        await using (var journal = await Journal.OpenAsync(JournalPath))
        {
            for (var i = 0; i < 3; i++)
            {
                await journal.AppendAsync(new JournalEntry("deploy.step"));
            }
        }

        var segment = Directory.GetFiles(JournalPath, "*.jsonl").Order(StringComparer.Ordinal).Last();
        var lines = SealedLine(4, "\"type\":\"deploy.\\ud800\"") + (last ? "" : SealedLine(5, "\"type\":\"deploy.step\"") + SealedLine(6, "\"type\":\"deploy.step\""));
        await File.AppendAllTextAsync(segment, lines);
    }

    /// <summary>A line as the journal writes it (docs/formats/journal.md), with a right CRC-32C.</summary>
    private static string SealedLine(ulong seq, string body)
    {
        var withoutCrc = $"{{\"seq\":{seq},\"ts\":\"2026-01-31T12:00:00.000000Z\",{body}}}";
        var crc = Crc32C(Encoding.UTF8.GetBytes(withoutCrc));
        return $"{withoutCrc[..^1]},\"crc\":\"{crc:x8}\"}}\n";
    }

    private static uint Crc32C(byte[] bytes)
    {
        var crc = ~0u;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return ~crc;
    }
}
