using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>strerror(3)</c>: the C library's text for an error number.</summary>
internal static unsafe partial class Libc
{
    [LibraryImport(LibraryName)]
    private static partial byte* strerror(int errnum);

    /// <summary>The C library's text for <paramref name="errno"/>, e.g. "No space left on device".</summary>
    public static string ErrorText(int errno) => Marshal.PtrToStringUTF8((nint)strerror(errno)) ?? $"errno {errno}";
}
