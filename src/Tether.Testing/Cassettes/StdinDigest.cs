using System.Text;

namespace Tether.Testing.Cassettes;

/// <summary>
/// The stdin part of a cassette's match key: a 64-bit FNV-1a digest of the stdin <em>source</em>, computed exactly as
/// processkit's <c>Stdin::content_digest</c> does — one tag byte (1 for in-memory content, 2 for a file), then the
/// content bytes or the file's path bytes. Text is hashed as the bytes the command feeds (UTF-8 unless the command
/// chose another encoding, so the digest equals processkit's for UTF-8); a file is keyed on its absolute path and is
/// never read. Empty stdin has no digest.
/// </summary>
internal static class StdinDigest
{
    private const ulong Offset = 0xcbf29ce484222325;
    private const ulong Prime = 0x00000100000001b3;
    private const byte ContentTag = 1;
    private const byte FileTag = 2;

    /// <summary>The digest, or null for empty stdin.</summary>
    /// <exception cref="NotSupportedException">A one-shot or interactive source, which cannot be keyed.</exception>
    public static ulong? Of(StandardInput input, Encoding encoding)
    {
        switch (input.Kind)
        {
            case StandardInputKind.Empty:
                return null;
            case StandardInputKind.Text or StandardInputKind.Bytes:
                return Fnv1a(ContentTag, input.ContentBytes(encoding)!);
            case StandardInputKind.File:
                return Fnv1a(FileTag, Encoding.UTF8.GetBytes(input.FilePath!));
            default:
                throw new NotSupportedException(
                    $"A cassette cannot key a {input.Describe()} standard input: its content is known only while it runs, so a replay could not tell two runs apart. Use StandardInput.FromString, FromBytes or FromFile.");
        }
    }

    /// <summary>64-bit FNV-1a over the tag byte, then <paramref name="payload"/>.</summary>
    public static ulong Fnv1a(byte tag, ReadOnlySpan<byte> payload)
    {
        var hash = Mix(Offset, tag);
        foreach (var b in payload)
        {
            hash = Mix(hash, b);
        }

        return hash;
    }

    /// <summary>Plain 64-bit FNV-1a (no tag), for the published test vectors.</summary>
    public static ulong Fnv1a(ReadOnlySpan<byte> bytes)
    {
        var hash = Offset;
        foreach (var b in bytes)
        {
            hash = Mix(hash, b);
        }

        return hash;
    }

    private static ulong Mix(ulong hash, byte b) => unchecked((hash ^ b) * Prime);
}
