using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Tether.Watch.Interop;

namespace Tether.Watch;

/// <content>Reading the command from a file the watcher's own user controls (<c>--recovery-exec-file</c>).</content>
public sealed partial class RecoveryCommand
{
    /// <summary>The largest command file accepted, in bytes.</summary>
    public const int MaxFileBytes = 64 * 1024;

    private const int ENOENT = 2;
    private const int ENOTDIR = 20;
    private const int ELOOP = 40;
    private const int ENOSYS = 38;
    private const int AtCurrentDirectory = -100; // AT_FDCWD
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff; // type, mode, nlink, uid, gid, times, ino, size, blocks
    private const uint StatxNeeded = 0x1 | 0x2 | 0x8 | 0x100 | 0x200; // type, mode, uid, ino, size: what the checks read
    private const int FileTypeMask = 0xF000; // S_IFMT
    private const int RegularFile = 0x8000;
    private const int SymbolicLink = 0xA000;
    private const int Directory = 0x4000;
    private const int Fifo = 0x1000;
    private const int Socket = 0xC000;
    private const int GroupWrite = 0x10; // 0020
    private const int OtherWrite = 0x2; // 0002
    private const int OpenReadOnly = 0;
    private const int OpenNonBlocking = 0x800;
    private const int OpenNoControllingTerminal = 0x100;
    private const int OpenCloseOnExec = 0x80000;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Reads the recovery command from a file, which must be a regular file (a symbolic link is refused, even to a good
    /// file), owned by the watcher's effective user, and writable by neither its group nor others — anyone who can
    /// change the file chooses what the watcher runs. It holds one command line in UTF-8, split as by
    /// <see cref="Parse"/>; lines that start with <c>#</c> (after leading blanks) are comments, blank lines are ignored
    /// and every line is trimmed. A quoted part cannot span lines and <c>#</c> after the command is not a comment.
    /// </summary>
    /// <remarks>
    /// The checks are made on the open file itself (the path is first inspected without following a link, then opened
    /// with <c>O_NOFOLLOW</c> and checked again by its handle), so a file swapped in between is refused, never read.
    /// The directories on the way are not checked; keep the file in a directory only the watcher's user can write.
    /// </remarks>
    /// <exception cref="RecoveryFileRefusedException">The file is missing, a link, not a regular file, owned by someone else, group- or world-writable, unreadable, larger than <see cref="MaxFileBytes"/>, not UTF-8, empty, only comments, or holds more than one command line.</exception>
    /// <exception cref="RecoveryCommandFormatException">The command line in the file is malformed (see <see cref="Parse"/>).</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or contains a NUL character.</exception>
    /// <exception cref="PlatformNotSupportedException">Not Linux, or a CPU architecture whose open flags are not known here.</exception>
    public static RecoveryCommand FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("The recovery command file path contains a NUL character; no file has such a name.", nameof(path));
        }

        var text = ReadVettedFile(path);
        var (line, number) = SingleCommandLine(path, text);
        return new RecoveryCommand(Split(line, path, number));
    }

    private static string ReadVettedFile(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Recovery command files are vetted with Linux system calls; Tether.Watch runs on Linux only for now.");
        }

        var noFollow = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 or Architecture.X86 => 0x20000,
            Architecture.Arm64 or Architecture.Arm => 0x8000,
            var other => throw new PlatformNotSupportedException($"The O_NOFOLLOW flag is not known here for {other}; recovery command files cannot be vetted on this architecture."),
        };

        // First the path itself, without following a link: refuse anything that is not a regular file before opening
        // it (opening a device or a FIFO can have effects of its own).
        if (Libc.StatxOfPath(AtCurrentDirectory, path, AtSymlinkNoFollow, StatxBasicStats, out var byPath) != 0)
        {
            throw StatFailed(path, Marshal.GetLastPInvokeError());
        }

        RequireRegularFile(path, byPath.Mode);

        using var handle = Libc.OpenToInspect(path, OpenReadOnly | noFollow | OpenNonBlocking | OpenNoControllingTerminal | OpenCloseOnExec, 0);
        if (handle.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno == ELOOP
                ? Refused(path, RecoveryFileRefusal.SymbolicLink, "is a symbolic link, and links are refused; give the path of the regular file itself")
                : StatFailed(path, errno);
        }

        // Then the open file: every decision below is about what will actually be read.
        if (Libc.StatxOfHandle(handle, "", AtEmptyPath, StatxBasicStats, out var status) != 0)
        {
            throw StatFailed(path, Marshal.GetLastPInvokeError());
        }

        if ((status.Mask & StatxNeeded) != StatxNeeded)
        {
            throw Refused(path, RecoveryFileRefusal.Unreadable, "is on a file system that does not report its owner, mode and size, so it cannot be vetted; keep it on a local file system");
        }

        RequireRegularFile(path, status.Mode);
        if (status.Inode != byPath.Inode || status.DeviceMajor != byPath.DeviceMajor || status.DeviceMinor != byPath.DeviceMinor)
        {
            throw Refused(path, RecoveryFileRefusal.Changed, "was replaced while it was being checked; try again once nothing changes it");
        }

        var owner = Libc.EffectiveUserId();
        if (status.Owner != owner)
        {
            throw Refused(path, RecoveryFileRefusal.WrongOwner,
                Invariant($"is owned by uid {status.Owner}, not by uid {owner} that the watcher runs as; only the watcher's own user may decide what it runs (chown the file)"));
        }

        if ((status.Mode & OtherWrite) != 0)
        {
            throw Refused(path, RecoveryFileRefusal.WorldWritable, $"is world-writable (mode {ModeText(status.Mode)}), so anyone could change what the watcher runs; run chmod o-w on it");
        }

        if ((status.Mode & GroupWrite) != 0)
        {
            throw Refused(path, RecoveryFileRefusal.GroupWritable, $"is group-writable (mode {ModeText(status.Mode)}), so its group could change what the watcher runs; run chmod g-w on it");
        }

        if (status.Size > MaxFileBytes)
        {
            throw TooLarge(path);
        }

        var buffer = new byte[MaxFileBytes + 1];
        var length = 0;
        try
        {
            int read;
            while (length < buffer.Length && (read = RandomAccess.Read(handle, buffer.AsSpan(length), length)) > 0)
            {
                length += read;
            }
        }
        catch (IOException ex)
        {
            throw Refused(path, RecoveryFileRefusal.Unreadable, $"could not be read: {ex.Message}");
        }

        if (length > MaxFileBytes)
        {
            throw TooLarge(path);
        }

        try
        {
            var text = StrictUtf8.GetString(buffer, 0, length);
            return text.StartsWith('\uFEFF') ? text[1..] : text; // an editor's byte order mark is not part of the program name
        }
        catch (DecoderFallbackException)
        {
            throw Refused(path, RecoveryFileRefusal.NotText, "is not UTF-8 text; write the command line in UTF-8");
        }
    }

    private static (string Line, int Number) SingleCommandLine(string path, string text)
    {
        if (text.AsSpan().Trim().IsEmpty)
        {
            throw Refused(path, RecoveryFileRefusal.Empty, "is empty; write one command line in it");
        }

        var lines = text.Split('\n');
        (string Line, int Number)? command = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (command is { } first)
            {
                throw Refused(path, RecoveryFileRefusal.MultipleCommands,
                    Invariant($"holds more than one command line (lines {first.Number} and {i + 1}); keep exactly one, and start comment lines with #"));
            }

            command = (line, i + 1);
        }

        return command ?? throw Refused(path, RecoveryFileRefusal.NoCommand, "holds only comments and blank lines; write one command line in it");
    }

    private static void RequireRegularFile(string path, ushort mode)
    {
        switch (mode & FileTypeMask)
        {
            case RegularFile:
                return;
            case SymbolicLink:
                throw Refused(path, RecoveryFileRefusal.SymbolicLink, "is a symbolic link, and links are refused; give the path of the regular file itself");
            default:
                var kind = (mode & FileTypeMask) switch
                {
                    Directory => "a directory",
                    Fifo => "a FIFO",
                    Socket => "a socket",
                    _ => "a device",
                };
                throw Refused(path, RecoveryFileRefusal.NotRegularFile, $"is {kind}, not a regular file; give the path of a file holding the command line");
        }
    }

    private static RecoveryFileRefusedException StatFailed(string path, int errno) => errno switch
    {
        ENOENT or ENOTDIR => Refused(path, RecoveryFileRefusal.Missing, "does not exist; check the path"),
        ELOOP => Refused(path, RecoveryFileRefusal.SymbolicLink, "is a symbolic link (or a path with a link loop), and links are refused; give the path of the regular file itself"),
        ENOSYS => throw new PlatformNotSupportedException($"The kernel refuses statx (ENOSYS), so the recovery command file '{path}' cannot be vetted; Linux 4.11 or later is needed."),
        _ => Refused(path, RecoveryFileRefusal.Unreadable, Invariant($"cannot be opened: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})")),
    };

    private static RecoveryFileRefusedException TooLarge(string path) =>
        Refused(path, RecoveryFileRefusal.TooLarge, Invariant($"is larger than {MaxFileBytes / 1024} KiB; it should hold one command line"));

    private static RecoveryFileRefusedException Refused(string path, RecoveryFileRefusal refusal, string problem) => new(path, refusal, problem);

    private static string ModeText(ushort mode) => Convert.ToString(mode & 0xFFF, 8).PadLeft(4, '0');

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
