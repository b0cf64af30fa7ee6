using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>getpwnam_r(3)</c>: looks a user up by name through the system's name services (files, LDAP, …).</summary>
internal static unsafe partial class Libc
{
    [LibraryImport(LibraryName)]
    public static partial int getpwnam_r(byte* name, Passwd* entry, byte* buffer, nuint bufferSize, Passwd** result);

    /// <summary><c>struct passwd</c> on Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Passwd
    {
        public byte* Name;
        public byte* Password;
        public uint UserId;
        public uint GroupId;
        public byte* Gecos;
        public byte* Directory;
        public byte* Shell;
    }
}
