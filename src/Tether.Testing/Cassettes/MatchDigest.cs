using System.Text;

namespace Tether.Testing.Cassettes;

/// <summary>
/// processkit's match policy digest (cassette version 4, <c>match_digest</c>) for the one policy Tether keys by: the
/// working directory. 64-bit FNV-1a over <c>cwd</c>, a NUL byte, then <c>01</c> and the directory's UTF-8 bytes, or
/// <c>00</c> when the invocation set none — what processkit computes under <c>match_on_cwd()</c> with no environment
/// variables named. Tether writes it on every entry of a version 4 cassette, because its own key includes the working
/// directory; processkit replays such a cassette with <c>match_on_cwd()</c>.
/// </summary>
internal static class MatchDigest
{
    private static readonly byte[] CwdTag = "cwd\0"u8.ToArray();

    /// <summary>The digest of <paramref name="workingDirectory"/> (null: the invocation set none).</summary>
    public static ulong OfWorkingDirectory(string? workingDirectory)
    {
        byte[] bytes = workingDirectory is null
            ? [.. CwdTag, 0]
            : [.. CwdTag, 1, .. Encoding.UTF8.GetBytes(workingDirectory)];
        return StdinDigest.Fnv1a(bytes);
    }
}
