namespace Tether.Lab;

/// <summary>
/// Delta debugging (Zeller's ddmin): removes ever smaller slices of a failing input sequence while it still fails, down
/// to one where removing any single input makes it pass — or until the budget of candidate runs is spent.
/// </summary>
public static class Shrinker
{
    /// <summary>Shrinks <paramref name="inputs"/>, which must fail <paramref name="fails"/>; returns the smallest failing sequence found.</summary>
    public static List<TInput> Shrink<TInput>(IReadOnlyList<TInput> inputs, Func<IReadOnlyList<TInput>, bool> fails, int budget)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(fails);
        var current = inputs.ToList();
        var granularity = 2;
        var tries = 0;
        while (current.Count >= 2 && tries < budget)
        {
            var size = (int)Math.Ceiling(current.Count / (double)granularity);
            var reduced = false;
            for (var start = 0; start < current.Count && tries < budget; start += size)
            {
                // The complement: everything but this slice.
                var candidate = new List<TInput>(current.Count - size);
                candidate.AddRange(current.Take(start));
                candidate.AddRange(current.Skip(start + size));
                tries++;
                if (candidate.Count > 0 && fails(candidate))
                {
                    current = candidate;
                    granularity = Math.Max(granularity - 1, 2);
                    reduced = true;
                    break;
                }
            }

            if (!reduced)
            {
                if (granularity >= current.Count)
                {
                    break;
                }

                granularity = Math.Min(granularity * 2, current.Count);
            }
        }

        return current;
    }
}
