using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>ioprio_set(2)</c>, which glibc does not wrap: sets the I/O scheduling class and level of a process
/// (through <see cref="syscall"/>, so a project linking this file links Interop.Syscall.cs too).</summary>
internal static partial class Libc
{
    public const int IOPRIO_WHO_PROCESS = 1;
    public const int IOPRIO_CLASS_SHIFT = 13;

    /// <summary>Sets <paramref name="pid"/>'s I/O priority; returns 0, or -1 with errno set.</summary>
    public static int ioprio_set(int pid, int ioprio) =>
        (int)syscall(RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 30 : 251, IOPRIO_WHO_PROCESS, pid, ioprio);
}
