namespace Tether.Internal;

/// <summary>Why a run is being stopped: the reason the <see cref="RunArbiter"/> settled on first.</summary>
internal enum StopReason
{
    /// <summary>Nothing claimed the run yet; if it ends now, it ended by itself.</summary>
    None,

    /// <summary>The command's overall timeout elapsed.</summary>
    Timeout,

    /// <summary>No output arrived within the command's idle timeout.</summary>
    IdleTimeout,

    /// <summary>A cancellation token of the command or of the start call was cancelled.</summary>
    Cancelled,

    /// <summary>Output passed the limit under <see cref="OverflowPolicy.Error"/>.</summary>
    OutputOverflow,

    /// <summary>Reading stdout or stderr failed.</summary>
    PumpFailed,

    /// <summary>The owner called <see cref="RunningProcess.StopAsync"/>.</summary>
    Stopped,

    /// <summary>The owner disposed the handle while the tree was still running.</summary>
    Disposed,

    /// <summary>A scripted process tree reported a (replayed or scripted) timeout.</summary>
    ReportedTimeout,
}
