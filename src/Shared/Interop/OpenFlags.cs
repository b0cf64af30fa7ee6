namespace Tether.Interop;

/// <summary>The <c>O_*</c> flags of <c>open(2)</c>, in the generic Linux numbering (x64); <see cref="Libc.NativeOpenFlags"/>
/// gives this architecture's.</summary>
[Flags]
#pragma warning disable CA1711 // the name is the C concept's
internal enum OpenFlags
#pragma warning restore CA1711
{
    /// <summary><c>O_RDONLY</c>.</summary>
    ReadOnly = 0,

    /// <summary><c>O_WRONLY</c>.</summary>
    WriteOnly = 0x1,

    /// <summary><c>O_RDWR</c>.</summary>
    ReadWrite = 0x2,

    /// <summary><c>O_CREAT</c>: create the file (with the given mode) if it is missing.</summary>
    Create = 0x40,

    /// <summary><c>O_EXCL</c>: with <see cref="Create"/>, fail if the name exists (even as a dangling symbolic link).</summary>
    Exclusive = 0x80,

    /// <summary><c>O_NOCTTY</c>: a terminal opened does not become the controlling terminal.</summary>
    NoControllingTerminal = 0x100,

    /// <summary><c>O_APPEND</c>.</summary>
    Append = 0x400,

    /// <summary><c>O_NONBLOCK</c>.</summary>
    NonBlocking = 0x800,

    /// <summary><c>O_DIRECTORY</c>: fail unless the path is a directory.</summary>
    Directory = 0x10000,

    /// <summary><c>O_NOFOLLOW</c>: fail (ELOOP) if the last component is a symbolic link.</summary>
    NoFollow = 0x20000,

    /// <summary><c>O_CLOEXEC</c>: not inherited by child processes.</summary>
    CloseOnExec = 0x80000,

    /// <summary><c>O_PATH</c>: a handle to the name only, for statx and the like; no reads or writes.</summary>
    PathOnly = 0x200000,
}
