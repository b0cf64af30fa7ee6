using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>getgrouplist(3)</c>: the groups a user is a member of, as <c>initgroups</c> would set them.</summary>
internal static unsafe partial class Libc
{
    /// <summary>Fills <paramref name="groups"/>; returns their number, or -1 (with <paramref name="count"/> set to the number needed) when it is too small.</summary>
    [LibraryImport(LibraryName)]
    public static partial int getgrouplist(byte* user, uint group, uint* groups, ref int count);
}
