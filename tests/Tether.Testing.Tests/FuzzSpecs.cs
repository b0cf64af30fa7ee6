using System.Collections.Immutable;

namespace Tether.Testing.Tests;

/// <summary>
/// The cassette reader against seeded mutations of real cassettes: whatever the bytes, <see cref="Cassette.Parse"/>
/// returns a cassette whose entries can be used, or throws the documented <see cref="CassetteException"/> with one
/// line; never another exception, never a hang. (A cassette is one JSON document, not a log: it promises no partial
/// read, so there is no "record before the damage" to lose.) <c>TETHER_FUZZ_ITERATIONS</c> runs longer.
/// </summary>
public sealed class FuzzSpecs
{
    private const int BaseSeed = 22_000;

    [Fact]
    public void Mutated_cassettes_are_read_or_refused_with_the_typed_error_never_an_exception()
    {
        var cassettes = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures"), "*.json").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        Assert.NotEmpty(cassettes);

        var iterations = SeededMutator.Iterations(ciDefault: 400);
        for (var i = 0; i < iterations; i++)
        {
            var seed = BaseSeed + i;
            var bytes = SeededMutator.Mutate(cassettes[i % cassettes.Count], seed, out _);

            var error = SeededMutator.Read(seed, () =>
            {
                var cassette = Cassette.Parse(bytes, "fuzzed.json");
                foreach (var entry in cassette.Entries)
                {
                    _ = entry.ToString();
                    _ = (entry.Program.Length, entry.Arguments.Length, entry.Stdout.Length, entry.Stderr.Length, entry.Outcome.ToString());
                }
            });

            if (error is CassetteException typed)
            {
                Assert.DoesNotContain('\n', typed.Message);
                continue;
            }

            Assert.True(error is null, $"seed {seed}: the reader threw {error?.GetType().Name}: {error?.Message}\n{error?.StackTrace}");
        }
    }
}
