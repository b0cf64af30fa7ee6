using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Tether.Interop;

namespace Tether.Watch;

/// <content>Reading the command from a file the watcher's own user controls (<c>--recovery-exec-file</c>).</content>
public sealed partial class RecoveryCommand
{
    /// <summary>The largest command file accepted, in bytes.</summary>
    public const int MaxFileBytes = 64 * 1024;

    // What the checks read: type, mode, owner, inode and size.
    private const Libc.StatxMask StatxNeeded = Libc.StatxMask.Type | Libc.StatxMask.Mode | Libc.StatxMask.Owner | Libc.StatxMask.Inode | Libc.StatxMask.Size;
    private const int GroupWrite = 0x10; // 0020
    private const int OtherWrite = 0x2; // 0002

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

        // First the path itself, without following a link: refuse anything that is not a regular file before opening
        // it (opening a device or a FIFO can have effects of its own).
        if (Libc.statx(Libc.CurrentDirectory, path, Libc.AT_SYMLINK_NOFOLLOW, StatxNeeded, out var byPath) != 0)
        {
            throw StatFailed(path, Marshal.GetLastPInvokeError());
        }

        RequireRegularFile(path, byPath.Mode);

        using var handle = Libc.Open(path, OpenFlags.ReadOnly | OpenFlags.NoFollow | OpenFlags.NonBlocking | OpenFlags.NoControllingTerminal | OpenFlags.CloseOnExec, 0);
        if (handle.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno == Libc.ELOOP
                ? Refused(path, RecoveryFileRefusal.SymbolicLink, "is a symbolic link, and links are refused; give the path of the regular file itself")
                : StatFailed(path, errno);
        }

        // Then the open file: every decision below is about what will actually be read.
        if (Libc.statx(handle, "", Libc.AT_EMPTY_PATH, StatxNeeded, out var status) != 0)
        {
            throw StatFailed(path, Marshal.GetLastPInvokeError());
        }

        if (((Libc.StatxMask)status.Mask & StatxNeeded) != StatxNeeded)
        {
            throw Refused(path, RecoveryFileRefusal.Unreadable, "is on a file system that does not report its owner, mode and size, so it cannot be vetted; keep it on a local file system");
        }

        RequireRegularFile(path, status.Mode);
        if (status.Inode != byPath.Inode || status.DeviceMajor != byPath.DeviceMajor || status.DeviceMinor != byPath.DeviceMinor)
        {
            throw Refused(path, RecoveryFileRefusal.Changed, "was replaced while it was being checked; try again once nothing changes it");
        }

        var owner = Libc.geteuid();
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
        switch (mode & Libc.S_IFMT)
        {
            case Libc.S_IFREG:
                return;
            case Libc.S_IFLNK:
                throw Refused(path, RecoveryFileRefusal.SymbolicLink, "is a symbolic link, and links are refused; give the path of the regular file itself");
            default:
                var kind = (mode & Libc.S_IFMT) switch
                {
                    Libc.S_IFDIR => "a directory",
                    Libc.S_IFIFO => "a FIFO",
                    Libc.S_IFSOCK => "a socket",
                    _ => "a device",
                };
                throw Refused(path, RecoveryFileRefusal.NotRegularFile, $"is {kind}, not a regular file; give the path of a file holding the command line");
        }
    }

    private static RecoveryFileRefusedException StatFailed(string path, int errno) => errno switch
    {
        Libc.ENOENT or Libc.ENOTDIR => Refused(path, RecoveryFileRefusal.Missing, "does not exist; check the path"),
        Libc.ELOOP => Refused(path, RecoveryFileRefusal.SymbolicLink, "is a symbolic link (or a path with a link loop), and links are refused; give the path of the regular file itself"),
        Libc.ENOSYS => throw new PlatformNotSupportedException($"The kernel refuses statx (Libc.ENOSYS), so the recovery command file '{path}' cannot be vetted; Linux 4.11 or later is needed."),
        _ => Refused(path, RecoveryFileRefusal.Unreadable, Invariant($"cannot be opened: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})")),
    };

    private static RecoveryFileRefusedException TooLarge(string path) =>
        Refused(path, RecoveryFileRefusal.TooLarge, Invariant($"is larger than {MaxFileBytes / 1024} KiB; it should hold one command line"));

    private static RecoveryFileRefusedException Refused(string path, RecoveryFileRefusal refusal, string problem) => new(path, refusal, problem);

    private static string ModeText(ushort mode) => Convert.ToString(mode & 0xFFF, 8).PadLeft(4, '0');

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
