using System.Diagnostics;
using System.Globalization;

namespace Tether.Tests;

/// <summary>
/// The promise that matters most: when the owner dies, even by SIGKILL (no finally, no disposal), its trees die too.
/// The owner is the dummy's <c>host</c> verb, started with System.Diagnostics.Process so that nothing of Tether's in
/// this test process is involved in its death.
/// </summary>
public sealed class OwnerDeathSpecs
{
    [Fact]
    public async Task A_tree_dies_with_its_owner_even_when_the_owner_is_SIGKILLed()
    {
        await AssertTreeDiesWithSigkilledHost();
    }

    [Fact]
    public async Task A_process_group_tree_dies_with_its_owner_even_when_the_owner_is_SIGKILLed()
    {
        await AssertTreeDiesWithSigkilledHost("--process-group");
    }

    [Fact]
    public async Task A_held_tree_dies_with_its_owner_and_the_warden_removes_the_owners_private_directory()
    {
        // A held stage makes the host's gate: a private directory of FIFOs, made only when first needed and handed to
        // the warden then, which removes it when the host dies without its own exit handlers.
        var temporary = Directory.CreateTempSubdirectory("tether-specs-owner-").FullName;
        try
        {
            await AssertTreeDiesWithSigkilledHost(
                temporary,
                whileAlive: () => Assert.Single(Directory.GetDirectories(temporary, "tether-*")),
                "--held");

            Assert.True(
                await Bounds.EventuallyAsync(() => Directory.GetDirectories(temporary, "tether-*").Length == 0),
                $"the SIGKILLed host's private directory is still there: {string.Join(", ", Directory.GetDirectories(temporary))}");
        }
        finally
        {
            Directory.Delete(temporary, recursive: true);
        }
    }

    private static Task AssertTreeDiesWithSigkilledHost(params string[] hostArguments) =>
        AssertTreeDiesWithSigkilledHost(temporaryDirectory: null, whileAlive: null, hostArguments);

    private static async Task AssertTreeDiesWithSigkilledHost(string? temporaryDirectory, Action? whileAlive, params string[] hostArguments)
    {
        using var leftovers = new Leftovers();
        var start = new ProcessStartInfo(Dummy.Path, ["host", .. hostArguments])
        {
            UseShellExecute = false,
            RedirectStandardInput = true, // the host leaves (cleanly) when this closes, should we fail before killing it
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (temporaryDirectory is not null)
        {
            start.Environment["TMPDIR"] = temporaryDirectory;
        }

        using var host = Process.Start(start)!;
        var hostStderr = host.StandardError.ReadToEndAsync();
        try
        {
            // Arrange: the host reports its tree.
            string? mechanism = null;
            var mustDie = new List<TrackedProcess>();
            var escapees = new List<TrackedProcess>();
            while (await host.StandardOutput.ReadLineAsync().Soon() is { } line && line != "ready")
            {
                var parts = line.Split(' ');
                if (parts[0] == "mechanism")
                {
                    mechanism = parts[1];
                    continue;
                }

                var process = leftovers.Track(int.Parse(parts[1], CultureInfo.InvariantCulture));
                var escapesProcessGroups = parts.Length > 2 && parts[2] == "setsid";
                (escapesProcessGroups && mechanism != nameof(ContainmentMechanism.Cgroup) ? escapees : mustDie).Add(process);
            }

            Assert.True(mustDie.Count >= 3, $"the host reported its tree (mechanism {mechanism}, {mustDie.Count} processes); stderr: {await StderrOf(hostStderr)}");
            Assert.Equal(hostArguments.Contains("--process-group") ? nameof(ContainmentMechanism.ProcessGroup) : Containment.Probe().AutoMechanism.ToString(), mechanism);

            whileAlive?.Invoke();

            // Act
            Assert.True(ProcessTable.Signal(host.Id, ProcessTable.SIGKILL));
            await host.WaitForExitAsync().Soon();

            // Assert
            var survivors = await ProcessTable.WaitUntilGoneAsync(mustDie);
            Assert.True(survivors.Count == 0, $"{string.Join(", ", survivors)} of {string.Join(", ", mustDie)} survived the SIGKILLed owner");
        }
        finally
        {
            if (!host.HasExited)
            {
                host.Kill();
            }
        }
    }

    private static async Task<string> StderrOf(Task<string> stderr) =>
        await Task.WhenAny(stderr, Task.Delay(TimeSpan.FromSeconds(2))) == stderr ? await stderr : "(still open)";
}
