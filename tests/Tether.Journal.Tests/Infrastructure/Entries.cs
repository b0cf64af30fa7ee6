using System.Text.Json.Nodes;

namespace Tether.Journaling.Tests.Infrastructure;

/// <summary>Small records for specs.</summary>
internal static class Entries
{
    public static JournalEntry Numbered(int n, string type = "spec.event", string? job = null) =>
        new(type, job, new JsonObject { ["n"] = n });

    /// <summary>The "n" field of a record made by <see cref="Numbered"/>.</summary>
    public static int N(this JournalRecord record) => record.Data!.Value.GetProperty("n").GetInt32();

    public static async Task<List<JournalRecord>> ToListAsync(this IAsyncEnumerable<JournalRecord> records)
    {
        var list = new List<JournalRecord>();
        await foreach (var record in records)
        {
            list.Add(record);
        }

        return list;
    }

    public static async Task<List<ulong>> AppendManyAsync(this Journal journal, int count, string type = "spec.event")
    {
        var seqs = new List<ulong>();
        for (var i = 0; i < count; i++)
        {
            seqs.Add(await journal.AppendAsync(Numbered(i, type)));
        }

        return seqs;
    }
}
