using System.Text;

namespace Tether.Sessions.Tests;

/// <summary>
/// The session reader and the store's listing against seeded mutations of a real session file (sessions carry no
/// checksum, so any byte can change). Neither may crash (anything but <see cref="SessionFormatException"/> for an
/// unreadable header), hang, or silently lose a command: every command whose line ends before the first changed byte
/// is still read. <c>TETHER_FUZZ_ITERATIONS</c> runs longer.
/// </summary>
public sealed class FuzzSpecs : IDisposable
{
    private const int BaseSeed = 33_000;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tether-session-fuzz-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void Mutated_session_files_never_crash_hang_or_silently_lose_a_command_before_the_damage()
    {
        var fixture = File.ReadAllBytes(SessionFormatSpecs.FixturePath("rec-completed.ndjson"));
        var original = SessionFormat.Parse(new MemoryStream(fixture), "fixture");
        Assert.True(original.IsClean && original.Session.Commands.Length >= 3, "the fixture is a clean session with commands");
        var lineEnds = LineEnds(fixture);
        var store = SessionStore.Open(_directory);
        var path = Path.Combine(store.Directory, "fuzzed.ndjson");

        var iterations = SeededMutator.Iterations(ciDefault: 400);
        for (var i = 0; i < iterations; i++)
        {
            var seed = BaseSeed + i;
            var bytes = SeededMutator.Mutate(fixture, seed, out var firstChanged);

            // Line 1 is the header; command k is line k + 2.
            var headerIntact = lineEnds[0] < firstChanged;
            var kept = original.Session.Commands.Where((_, k) => lineEnds[k + 1] < firstChanged).ToList();

            SessionLoad? load = null;
            var error = SeededMutator.Read(seed, () => load = SessionFormat.Parse(new MemoryStream(bytes), "fuzzed"));
            if (error is SessionFormatException && !headerIntact)
            {
                Assert.DoesNotContain('\n', error.Message);
            }
            else if (error is not null)
            {
                Assert.Fail($"seed {seed}: parsing threw {error.GetType().Name}: {error.Message}\n{error.StackTrace}");
            }
            else
            {
                var read = load!.Session.Commands;
                var lost = kept.Where(c => !read.Contains(c)).ToList();
                Assert.True(lost.Count == 0, $"seed {seed}: commands before the damage were lost: {string.Join(", ", lost.Select(c => c.Index))}");
                _ = load.Problems.Select(p => p.ToString()).ToList();
            }

            File.WriteAllBytes(path, bytes);
            var listing = SeededMutator.Read(seed, () => _ = store.List());
            Assert.True(listing is null, $"seed {seed}: listing threw {listing?.GetType().Name}: {listing?.Message}");
        }
    }

    /// <summary>The offset of each line's newline.</summary>
    private static List<int> LineEnds(byte[] bytes)
    {
        var ends = new List<int>();
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                ends.Add(i);
            }
        }

        Assert.True(Encoding.UTF8.GetString(bytes).EndsWith('\n'), "the fixture ends with a newline");
        return ends;
    }
}
