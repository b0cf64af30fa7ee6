namespace Tether.Journaling.Internal;

/// <summary>Where an injected fault strikes.</summary>
internal enum FaultPoint
{
    /// <summary>A segment write: half of the bytes are written, then the write fails.</summary>
    Write,

    /// <summary>Right after the half write of an injected <see cref="Write"/> fault, before the journal cuts it back off:
    /// a crash-test writer kills itself here to leave a real torn tail behind.</summary>
    AfterPartialWrite,

    /// <summary>The fdatasync of a segment.</summary>
    Sync,

    /// <summary>The write of a torn-tail sidecar file.</summary>
    SidecarWrite,
}

/// <summary>
/// Test seam: decides, before each of the writer's system calls at a <see cref="FaultPoint"/>, whether it fails and with
/// which errno (0: no fault). Lets specs show the caller's view of EIO or ENOSPC without a real broken disk.
/// </summary>
internal sealed class FaultInjection(Func<FaultPoint, int> decide)
{
    public int Next(FaultPoint point) => decide(point);
}
