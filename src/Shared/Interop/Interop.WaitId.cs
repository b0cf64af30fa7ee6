using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary>
/// <c>waitid(2)</c>: looks at (with <see cref="WNOWAIT"/>) or reaps a child that changed state. The supervisor running
/// as PID 1 peeks with <c>P_ALL | WEXITED | WNOHANG | WNOWAIT</c> to learn which zombie is next without taking the exit
/// status of a child some other waiter owns.
/// </summary>
internal static unsafe partial class Libc
{
    /// <summary><c>P_ALL</c>: any child.</summary>
    public const int P_ALL = 0;

    /// <summary><c>WEXITED</c>: children that exited.</summary>
    public const int WEXITED = 4;

    /// <summary><c>WNOWAIT</c>: leave the child waitable (look, do not reap).</summary>
    public const int WNOWAIT = 0x01000000;

    /// <summary>
    /// The start of <c>siginfo_t</c> for <c>SIGCHLD</c> on LP64 Linux: three ints and padding, then the child's pid, uid
    /// and status. The kernel writes 128 bytes, so the struct is that large.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    public struct ChildSignalInfo
    {
        [FieldOffset(0)]
        public int Signal;

        [FieldOffset(8)]
        public int Code;

        [FieldOffset(16)]
        public int Pid;

        [FieldOffset(20)]
        public int Uid;

        [FieldOffset(24)]
        public int Status;
    }

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int waitid(int idType, int id, ChildSignalInfo* info, int options);
}
