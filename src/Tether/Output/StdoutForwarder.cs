using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Tether.Internal;
using Tether.Interop;

namespace Tether.Output;

/// <summary>
/// Passes the last stage's stdout on to a descriptor of this process (<see cref="Command.WithStdoutForwardedTo"/>)
/// without looking at it: the program writes into a plain pipe, and a dedicated thread moves the bytes on with
/// <c>splice(2)</c>, inside the kernel, telling the <see cref="RunArbiter"/> only that output happened (the idle
/// timeout starts over). Nothing is captured, split or teed.
/// </summary>
/// <remarks>
/// <para>
/// Why a thread of its own: the moves are blocking calls, one per pipe-full, and a thread-pool read per chunk is what
/// made the old path slow (an asynchronous socket read completed on the pool for every 64 KiB or less). The pipe's
/// read end is ours alone, so it is made non-blocking and waited on with <c>poll(2)</c> together with an eventfd that
/// the run's cancellation signals: a pipe held open by a process that escaped the tree never keeps the run waiting.
/// The destination's blocking mode belongs to its owner (tether's stdout is shared with the shell and siblings), so it
/// is never changed; the moves say <c>SPLICE_F_NONBLOCK</c> and a full destination pipe is waited on with poll too.
/// </para>
/// <para>
/// Where the kernel cannot splice into the destination (<c>EINVAL</c>: a terminal, a file opened with
/// <c>O_APPEND</c>), the bytes are copied with large reads and writes instead, still on this thread. When the
/// destination fails (<c>EPIPE</c>: its reader went away, or any other write error), forwarding stops and the pipe is
/// closed at once, so the program's next write gets <c>SIGPIPE</c>/<c>EPIPE</c> as if it wrote there itself; the run
/// goes on and ends as the program does. Otherwise the pipe is read to its end, so every byte written before the
/// last writer closed it reaches the destination before the run reports its result.
/// </para>
/// </remarks>
internal sealed class StdoutForwarder
{
    /// <summary>The most one call moves: more than a pipe holds, so a full pipe is emptied in one call.</summary>
    private const int MoveSize = 1024 * 1024;

    /// <summary>The buffer of the copy fallback.</summary>
    private const int CopyBufferSize = 256 * 1024;

    /// <summary>
    /// The pipe's capacity we ask for (the kernel's default is 64 KiB; an unprivileged process may grow a pipe up to
    /// <c>/proc/sys/fs/pipe-max-size</c>, 1 MiB by default): fewer wake-ups of the program and of this thread.
    /// </summary>
    private const int PipeSize = 1024 * 1024;

    /// <summary>
    /// How long the thread lets a pipe that is being written fill before the next move. Without it, every write of
    /// the program (8 KiB for <c>head</c>) wakes the thread for a move of just that: a context switch per write,
    /// which cost more than the bytes on a busy machine. A pause this short is unnoticeable on a terminal, and at the
    /// speed of memory the program fills only part of a 1 MiB pipe meanwhile, so it never waits for us.
    /// </summary>
    private const int FillPauseNanoseconds = 200_000;

    private readonly FileStream _source;
    private readonly SafeFileHandle _destination;
    private readonly RunArbiter _arbiter;
    private readonly Pipeline _pipeline;
    private readonly bool _copyOnly;

    /// <param name="source">The read end of the program's stdout pipe; disposed when forwarding ends.</param>
    /// <param name="destination">Where the bytes go; not disposed.</param>
    /// <param name="arbiter">Hears that output arrived, and about a failure to read the pipe.</param>
    /// <param name="pipeline">The run's pipeline, whose command line (secrets redacted) names it in a failure message.</param>
    public StdoutForwarder(FileStream source, SafeFileHandle destination, RunArbiter arbiter, Pipeline pipeline)
    {
        _source = source;
        _destination = destination;
        _arbiter = arbiter;
        _pipeline = pipeline;
        _copyOnly = ForceCopy.Value;
    }

    /// <summary>Makes forwarders created in this async flow copy instead of splicing (so specs cover the fallback).</summary>
    internal static AsyncLocal<bool> ForceCopy { get; } = new();

    /// <summary>How the last forwarder of this async flow moved its bytes, for specs: true once it fell back to copying.</summary>
    internal static AsyncLocal<StrongBox<bool>?> CopiedProbe { get; } = new();

    /// <summary>Forwards on a thread of its own until the pipe's end, a failed destination, or <paramref name="cancellationToken"/>.</summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = CopiedProbe.Value;
        var thread = new Thread(() =>
        {
            try
            {
                var copied = Forward(cancellationToken);
                if (probe is not null)
                {
                    probe.Value = copied;
                }
            }
            catch (Exception ex)
            {
                _arbiter.PumpFailed(ex);
            }
            finally
            {
                _source.Dispose();
                done.SetResult();
            }
        })
        {
            IsBackground = true,
            Name = "Tether stdout forwarder",
        };
        thread.UnsafeStart();
        return done.Task;
    }

    /// <summary>
    /// Forwards a stream that is no pipe of ours (a scripted tree's): each chunk read is written on in full, blocking,
    /// as the copy fallback does. Disposes <paramref name="source"/> at the end.
    /// </summary>
    public static async Task CopyStreamAsync(Stream source, SafeFileHandle destination, RunArbiter arbiter, Pipeline pipeline, CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            while (true)
            {
                var read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                arbiter.OutputArrived();
                if (!WriteAll(destination, buffer.AsSpan(0, read)))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException ex)
        {
            arbiter.PumpFailed(new ProcessIOException($"Reading stdout of '{pipeline}' failed: {ex.Message}", ex));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            await source.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The loop; returns whether it ended up copying instead of splicing.</summary>
    private bool Forward(CancellationToken cancellationToken)
    {
        var wakeUp = Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (wakeUp < 0)
        {
            throw ReadFailure(Marshal.GetLastPInvokeError(), "could not create an eventfd");
        }

        var sourceHandle = _source.SafeFileHandle;
        var addedSource = false;
        var addedDestination = false;
        try
        {
            sourceHandle.DangerousAddRef(ref addedSource);
            _destination.DangerousAddRef(ref addedDestination);
            var source = (int)sourceHandle.DangerousGetHandle();
            var destination = (int)_destination.DangerousGetHandle();
            using var onCancel = cancellationToken.UnsafeRegister(static state => Signal((int)state!), wakeUp);
            Prepare(source);
            return Move(source, destination, wakeUp, cancellationToken);
        }
        finally
        {
            // The registration is gone (its dispose waits for a callback in flight), so nobody writes to the eventfd.
            Libc.close(wakeUp);
            if (addedDestination)
            {
                _destination.DangerousRelease();
            }

            if (addedSource)
            {
                sourceHandle.DangerousRelease();
            }
        }
    }

    /// <summary>Our end only: non-blocking (the program's write end is another open file), and a larger pipe.</summary>
    private static void Prepare(int source)
    {
        var flags = Libc.fcntl(source, Libc.F_GETFL, 0);
        if (flags < 0 || Libc.fcntl(source, Libc.F_SETFL, flags | (int)OpenFlags.NonBlocking) < 0)
        {
            throw new ProcessIOException($"Could not make the stdout pipe non-blocking: {Libc.ErrorText(Marshal.GetLastPInvokeError())}.");
        }

        // A bigger pipe only saves wake-ups; where the kernel refuses (a lowered pipe-max-size, the user's pipe
        // quota), the default one works all the same.
        _ = Libc.fcntl(source, Libc.F_SETPIPE_SZ, PipeSize);
    }

    /// <summary>
    /// The source said EAGAIN: waits for what is missing. Bytes still in the pipe mean the destination is full, so
    /// it waits for the destination. An empty pipe right after bytes moved means the program is writing: the thread
    /// lets the pipe fill a moment (<see cref="FillPauseNanoseconds"/>) instead of waking for each of its writes.
    /// Otherwise the program is quiet, and the thread sleeps until it writes (or the run gives up).
    /// </summary>
    /// <returns>False when the run gave up waiting.</returns>
    private static unsafe bool AwaitMore(int source, int destination, int wakeUp, ref bool flowing)
    {
        var unread = 0;
        if (Libc.ioctl(source, Libc.FIONREAD, &unread) == 0 && unread > 0)
        {
            return Poll(Wait.Destination, source, destination, wakeUp) != Wait.Cancelled;
        }

        if (flowing)
        {
            flowing = false;
            var pause = new Libc.TimeSpec { Seconds = 0, Nanoseconds = FillPauseNanoseconds };
            _ = Libc.nanosleep(&pause, null); // EINTR only shortens the pause
            return true;
        }

        return Poll(Wait.Source, source, destination, wakeUp) != Wait.Cancelled;
    }

    /// <returns>True when it fell back to copying.</returns>
    private unsafe bool Move(int source, int destination, int wakeUp, CancellationToken cancellationToken)
    {
        if (!_copyOnly)
        {
            var flowing = false;
            while (!cancellationToken.IsCancellationRequested)
            {
                var moved = Libc.splice(source, null, destination, null, MoveSize, Libc.SPLICE_F_MOVE | Libc.SPLICE_F_NONBLOCK);
                if (moved > 0)
                {
                    _arbiter.OutputArrived();
                    flowing = true;
                    continue;
                }

                if (moved == 0)
                {
                    return false; // every writer closed the pipe and it is empty
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EINTR)
                {
                    continue;
                }

                if (errno == Libc.EAGAIN)
                {
                    if (!AwaitMore(source, destination, wakeUp, ref flowing))
                    {
                        return false;
                    }

                    continue;
                }

                if (errno is Libc.EINVAL or Libc.ENOSYS)
                {
                    break; // the destination cannot be spliced into: copy
                }

                return false; // the destination failed (EPIPE and others): stop, and the pipe is closed
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }

        Copy(source, destination, wakeUp, cancellationToken);
        return true;
    }

    /// <summary>The fallback: large reads from the pipe, each written on in full.</summary>
    private unsafe void Copy(int source, int destination, int wakeUp, CancellationToken cancellationToken)
    {
        var buffer = (byte*)NativeMemory.Alloc(CopyBufferSize);
        var flowing = false;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var read = Libc.read(source, buffer, CopyBufferSize);
                if (read == 0)
                {
                    return;
                }

                if (read < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Libc.EINTR)
                    {
                        continue;
                    }

                    if (errno == Libc.EAGAIN)
                    {
                        if (!AwaitMore(source, destination, wakeUp, ref flowing))
                        {
                            return;
                        }

                        continue;
                    }

                    throw ReadFailure(errno, "read failed");
                }

                _arbiter.OutputArrived();
                flowing = true;
                if (!WriteAll(destination, buffer, read, source, wakeUp))
                {
                    return;
                }
            }
        }
        finally
        {
            NativeMemory.Free(buffer);
        }
    }

    /// <returns>False when the destination failed or the run gave up: forwarding stops.</returns>
    private static unsafe bool WriteAll(int destination, byte* bytes, nint count, int source, int wakeUp)
    {
        while (count > 0)
        {
            var written = Libc.write(destination, bytes, count);
            if (written > 0)
            {
                bytes += written;
                count -= written;
                continue;
            }

            var errno = written < 0 ? Marshal.GetLastPInvokeError() : 0;
            if (errno == Libc.EINTR)
            {
                continue;
            }

            // A destination its owner made non-blocking: wait until it takes bytes again.
            if (errno == Libc.EAGAIN && Poll(Wait.Destination, source, destination, wakeUp) != Wait.Cancelled)
            {
                continue;
            }

            return false;
        }

        return true;
    }

    /// <summary>Blocks until the side <paramref name="what"/> is ready, or the run's cancellation signalled the eventfd.</summary>
    private static unsafe Wait Poll(Wait what, int source, int destination, int wakeUp)
    {
        var descriptors = stackalloc Libc.PollDescriptor[2];
        descriptors[0] = what == Wait.Source
            ? new Libc.PollDescriptor { Fd = source, Events = Libc.POLLIN }
            : new Libc.PollDescriptor { Fd = destination, Events = Libc.POLLOUT };
        descriptors[1] = new Libc.PollDescriptor { Fd = wakeUp, Events = Libc.POLLIN };
        while (true)
        {
            if (Libc.poll(descriptors, 2, -1) >= 0)
            {
                // Readiness, a hang-up or an error of the side waited for: the next call tells which.
                return descriptors[1].ReturnedEvents != 0 ? Wait.Cancelled : what;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Libc.EINTR)
            {
                throw new ProcessIOException($"Waiting for stdout to forward failed: {Libc.ErrorText(errno)}.");
            }
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="destination"/>, blocking; false when it fails.</summary>
    private static unsafe bool WriteAll(SafeFileHandle destination, ReadOnlySpan<byte> bytes)
    {
        var added = false;
        try
        {
            destination.DangerousAddRef(ref added);
            fixed (byte* start = bytes)
            {
                var fd = (int)destination.DangerousGetHandle();
                var descriptors = stackalloc Libc.PollDescriptor[1];
                var at = start;
                nint left = bytes.Length;
                while (left > 0)
                {
                    var written = Libc.write(fd, at, left);
                    if (written > 0)
                    {
                        at += written;
                        left -= written;
                        continue;
                    }

                    var errno = written < 0 ? Marshal.GetLastPInvokeError() : 0;
                    if (errno == Libc.EAGAIN)
                    {
                        descriptors[0] = new Libc.PollDescriptor { Fd = fd, Events = Libc.POLLOUT };
                        _ = Libc.poll(descriptors, 1, -1);
                    }
                    else if (errno != Libc.EINTR)
                    {
                        return false;
                    }
                }
            }

            return true;
        }
        finally
        {
            if (added)
            {
                destination.DangerousRelease();
            }
        }
    }

    private static unsafe void Signal(int eventFd)
    {
        ulong one = 1;
        _ = Libc.write(eventFd, (byte*)&one, sizeof(ulong));
    }

    private ProcessIOException ReadFailure(int errno, string what) =>
        new($"Forwarding stdout of '{_pipeline}' failed: {what}: {Libc.ErrorText(errno)}.");

    private enum Wait
    {
        Source,
        Destination,
        Cancelled,
    }
}
