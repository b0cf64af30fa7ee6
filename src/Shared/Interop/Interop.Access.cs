using System.Runtime.InteropServices;
using System.Text;

namespace Tether.Interop;

/// <summary><c>access(2)</c>: whether this process's real user may read, write or execute a path, as the kernel decides.</summary>
internal static unsafe partial class Libc
{
    public const int W_OK = 2;
    public const int X_OK = 1;

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int access(byte* path, int mode);

    /// <summary><c>access(2)</c> on a path given as text (encoded as UTF-8, NUL-terminated); 0 when permitted.</summary>
    public static int Access(string path, int mode)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        fixed (byte* p = bytes)
        {
            return access(p, mode);
        }
    }
}
