namespace Tether.Testing.Scripting;

/// <summary>Starts a real <see cref="RunningProcess"/> over a <see cref="ScriptedProcessTree"/> playing a reply.</summary>
internal static class ScriptedRun
{
    /// <summary>As <see cref="ProcessRunner"/> does before spawning: a cancelled token fails the run before it starts.</summary>
    public static void ThrowIfCancelled(Pipeline pipeline, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var token in pipeline.AllCancellationTokens())
        {
            token.ThrowIfCancellationRequested();
        }
    }

    public static RunningProcess Start(Pipeline pipeline, Reply reply, TimeProvider time, bool streaming, CancellationToken runCancellation)
    {
        var tree = new ScriptedProcessTree(reply, pipeline, time);
        var process = new RunningProcess(pipeline, tree, time, time.GetTimestamp(), streaming, runCancellation);
        tree.Play(process);
        return process;
    }

    public static async Task<ProcessResult<byte[]>> OutputBytesAsync(Pipeline pipeline, Reply reply, TimeProvider time, CancellationToken cancellationToken)
    {
        var process = Start(pipeline, reply, time, streaming: false, cancellationToken);
        await using (process.ConfigureAwait(false))
        {
            return await process.Completion.ConfigureAwait(false);
        }
    }

    public static async Task<ProcessResult<string>> OutputStringAsync(Pipeline pipeline, Reply reply, TimeProvider time, CancellationToken cancellationToken)
    {
        var result = await OutputBytesAsync(pipeline, reply, time, cancellationToken).ConfigureAwait(false);
        return result.WithOutput(pipeline.Last.Encoding.GetString);
    }
}
