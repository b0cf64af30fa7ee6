using System.Buffers;
using System.Collections.Immutable;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Tether.Testing.Cassettes;

namespace Tether.Testing;

/// <summary>
/// A cassette file: a format version and the captured entries in capture order. The format is processkit's JSON
/// cassette, versions 1 to 4 (see docs/formats/cassette.md), so cassettes move between that Rust crate and Tether both
/// ways. Loading checks everything (size, JSON, version, each entry's fields and outcome) and never changes the file.
/// </summary>
public sealed class Cassette
{
    /// <summary>The format version Tether writes a new cassette in: the newest that both Tether and processkit read.</summary>
    public const int FormatVersion = 4;

    /// <summary>The oldest format version Tether reads.</summary>
    public const int OldestVersion = 1;

    /// <summary>The newest format version Tether reads.</summary>
    public const int NewestVersion = 4;

    /// <summary>From this version on, processkit leaves the working directory out of the match key.</summary>
    internal const int FirstVersionWithoutWorkingDirectoryInKey = 3;

    /// <summary>From this version on, an entry may carry processkit's match policy digest.</summary>
    internal const int FirstVersionWithMatchDigest = 4;

    /// <summary>The largest cassette file accepted: 64 MiB.</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        IndentSize = 2,
        NewLine = "\n",

        // Human-diffable: non-ASCII text stays as it is; only what JSON requires (quotes, backslash, controls) is escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    internal Cassette(ImmutableArray<CassetteEntry> entries, int version = FormatVersion)
    {
        Entries = entries;
        Version = version;
    }

    /// <summary>The entries in capture order.</summary>
    public ImmutableArray<CassetteEntry> Entries { get; }

    /// <summary>The format version the file has (when loaded) or will be written in (when saved).</summary>
    public int Version { get; }

    /// <summary>Loads and checks a cassette file.</summary>
    /// <exception cref="CassetteException">It does not exist, cannot be read, is too large, is not JSON, has another version or an invalid entry.</exception>
    public static Cassette Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            if (file.Length > MaxFileBytes)
            {
                throw new CassetteException(CassetteProblem.TooLarge, path,
                    $"Cassette '{path}' is {file.Length} bytes, more than the {MaxFileBytes / (1024 * 1024)} MiB a cassette may have; split the test or record less output.");
            }

            bytes = new byte[file.Length];
            file.ReadExactly(bytes);
        }
        catch (FileNotFoundException ex)
        {
            throw new CassetteException(CassetteProblem.NotFound, path,
                $"Cassette '{path}' does not exist; record it first (CassetteMode.Once or Record, or `tether run --cassette {path} --mode once -- …`).", ex);
        }
        catch (DirectoryNotFoundException ex)
        {
            throw new CassetteException(CassetteProblem.NotFound, path,
                $"Cassette '{path}' does not exist (nor does its directory); record it first (CassetteMode.Once or Record).", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CassetteException(CassetteProblem.Unreadable, path, $"Cassette '{path}' could not be read: {ex.Message}", ex);
        }

        return Parse(bytes, path);
    }

    /// <summary>Parses and checks cassette JSON; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="CassetteException">The JSON is invalid, has another version or an invalid entry.</exception>
    public static Cassette Parse(ReadOnlySpan<byte> json, string source = "cassette")
    {
        if (json.Length > MaxFileBytes)
        {
            throw new CassetteException(CassetteProblem.TooLarge, source, $"Cassette '{source}' is larger than {MaxFileBytes / (1024 * 1024)} MiB.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" at line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1}" : "";
            throw new CassetteException(CassetteProblem.InvalidJson, source,
                $"Cassette '{source}' is not valid JSON{where}; fix or re-record it.", ex);
        }

        using (document)
        {
            try
            {
                return CassetteReader.Read(document.RootElement, source);
            }
            catch (InvalidOperationException ex)
            {
                // JsonElement.GetString refuses text it cannot decode: bytes that are not UTF-8, or an escaped lone surrogate.
                throw new CassetteException(CassetteProblem.InvalidJson, source,
                    $"Cassette '{source}' holds a string that is not valid UTF-8 text (invalid bytes or an unpaired \\u surrogate escape); fix or re-record it.", ex);
            }
        }
    }

    /// <summary>The cassette as JSON, byte for byte what a save writes: the same entries always give the same bytes.</summary>
    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", Version);
            writer.WriteStartArray("entries");
            foreach (var entry in Entries)
            {
                CassetteWriter.WriteEntry(writer, entry, Version);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return [.. buffer.WrittenSpan, (byte)'\n'];
    }

    /// <summary>
    /// The version a cassette loaded at <paramref name="loaded"/> (null: a new cassette) is saved in. Versions 1 and 2
    /// keep theirs, because their key is Tether's own (the working directory included), so the file keeps its layout;
    /// every other cassette is saved in <see cref="FormatVersion"/>.
    /// </summary>
    internal static int VersionToWrite(int? loaded) =>
        loaded is { } version && version < FirstVersionWithoutWorkingDirectoryInKey ? version : FormatVersion;

    /// <summary>Replaces unpaired UTF-16 surrogates (which UTF-8 cannot carry) with U+FFFD, as a lossy UTF-8 round trip does.</summary>
    internal static string Lossy(string text)
    {
        var clean = true;
        for (var i = 0; i < text.Length && clean; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                clean = false;
            }
        }

        return clean ? text : Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));
    }
}
