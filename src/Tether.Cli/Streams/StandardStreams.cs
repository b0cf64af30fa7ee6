using System.IO.Pipes;
using Microsoft.Win32.SafeHandles;

namespace Tether.Cli.Streams;

/// <summary>Tether's own stdout and stderr as raw byte streams that report a reader that went away.</summary>
internal static class StandardStreams
{
    /// <summary>
    /// File descriptor <paramref name="fd"/> (1 or 2) as a stream. When it is a pipe or socket, a write after the reader
    /// closed it throws <see cref="IOException"/> (EPIPE); the console stream would swallow that and let the child
    /// write into the void forever (<c>tether run -- yes | head -1</c> would never end). Terminals and files get the
    /// console stream, which writes at the shared file offset, so output appended by others is never overwritten.
    /// </summary>
    public static Stream OpenOutput(int fd)
    {
        try
        {
            return new AnonymousPipeClientStream(PipeDirection.Out, new SafePipeHandle(fd, ownsHandle: false));
        }
        catch (IOException)
        {
            // Not a pipe: a terminal or a file.
        }

        return fd == 2 ? Console.OpenStandardError() : Console.OpenStandardOutput();
    }
}
