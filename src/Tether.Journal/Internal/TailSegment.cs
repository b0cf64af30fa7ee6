using Microsoft.Win32.SafeHandles;
using Tether.IO;

namespace Tether.Journaling.Internal;

/// <summary>
/// The writer's view of the segment being appended to: which file (device + inode), how long it was after this writer's
/// last commit, and the next seq. Trusted only after checking, under the lock, that the file is still the same and as
/// long, and that no newer segment exists; otherwise the tail is read again from disk.
/// </summary>
internal sealed class TailSegment(SegmentFile segment, SafeFileHandle handle, FileStatus identity, long length, ulong nextSeq) : IDisposable
{
    public SegmentFile Segment { get; } = segment;

    public SafeFileHandle Handle { get; } = handle;

    public FileStatus Identity { get; } = identity;

    public long Length { get; set; } = length;

    public ulong NextSeq { get; set; } = nextSeq;

    public void Dispose() => Handle.Dispose();
}
