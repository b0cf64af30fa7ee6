using System.Diagnostics;
using Tether.Internal;

namespace Tether.Tests;

/// <summary>
/// The warden's clean-up after its host died must end promptly whatever order it happens in. The script runs here
/// without a host: closing its stdin is the host's death, and a plain directory stands for the host's cgroup directory
/// (writing <c>cgroup.kill</c> into it leaves a file, so only someone else can remove it, as a newer host's sweep does).
/// </summary>
public sealed class WardenSpecs : IDisposable
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(3);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "tether-warden-specs-" + Guid.NewGuid().ToString("N"));

    public WardenSpecs() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task The_warden_exits_promptly_when_a_newer_host_sweeps_the_cgroup_directory_while_it_is_removing_it()
    {
        var cgroup = Directory.CreateDirectory(Path.Combine(_root, "host-cgroup")).FullName;
        var privateDirectory = Directory.CreateDirectory(Path.Combine(_root, "host-private")).FullName;
        using var warden = StartWarden(cgroup, privateDirectory);

        // The host dies; the warden kills the cgroup (a file, here) and starts retrying rmdir.
        warden.StandardInput.Close();
        Assert.True(await Bounds.EventuallyAsync(() => File.Exists(Path.Combine(cgroup, "cgroup.kill"))), "the warden wrote cgroup.kill");
        Assert.False(warden.HasExited);

        // A newer host sweeps the dead host's directory.
        Directory.Delete(cgroup, recursive: true);
        var swept = Stopwatch.StartNew();
        var exited = await WaitForExitAsync(warden, Bounds.Eventually);

        Assert.True(exited, "the warden is still running long after its cgroup directory was swept");
        Assert.True(swept.Elapsed < Prompt, $"the warden took {swept.Elapsed.TotalSeconds:0.0} s to exit after its cgroup directory was swept");
        Assert.False(Directory.Exists(privateDirectory));
    }

    [Fact]
    public async Task The_warden_exits_promptly_when_the_cgroup_directory_was_swept_before_its_host_died()
    {
        var cgroup = Path.Combine(_root, "host-cgroup");
        var privateDirectory = Directory.CreateDirectory(Path.Combine(_root, "host-private")).FullName;
        using var warden = StartWarden(cgroup, privateDirectory);

        var died = Stopwatch.StartNew();
        warden.StandardInput.Close();
        var exited = await WaitForExitAsync(warden, Bounds.Eventually);

        Assert.True(exited, "the warden is still running long after its host died");
        Assert.True(died.Elapsed < Prompt, $"the warden took {died.Elapsed.TotalSeconds:0.0} s to exit after its host died");
        Assert.False(Directory.Exists(privateDirectory));
    }

    [Fact]
    public async Task A_private_directory_the_host_names_after_the_start_is_removed_when_the_host_dies()
    {
        var cgroup = Path.Combine(_root, "host-cgroup");
        var privateDirectory = Directory.CreateDirectory(Path.Combine(_root, "host-private-later")).FullName;
        File.WriteAllText(Path.Combine(privateDirectory, "ready-0"), "");
        using var warden = StartWarden(cgroup, privateDirectory: "");

        await warden.StandardInput.WriteAsync("=" + privateDirectory + "\n");
        await warden.StandardInput.FlushAsync();
        warden.StandardInput.Close();
        var exited = await WaitForExitAsync(warden, Bounds.Eventually);

        Assert.True(exited, "the warden is still running long after its host died");
        Assert.False(Directory.Exists(privateDirectory), "the directory the host named was left behind");
    }

    private static Process StartWarden(string cgroup, string privateDirectory)
    {
        var start = new ProcessStartInfo("/bin/sh", ["-c", Warden.Script, "tether-warden", cgroup, privateDirectory])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
        };
        return Process.Start(start)!;
    }

    private static async Task<bool> WaitForExitAsync(Process process, TimeSpan within)
    {
        try
        {
            await process.WaitForExitAsync().WaitAsync(within);
            return true;
        }
        catch (TimeoutException)
        {
            process.Kill();
            return false;
        }
    }
}
