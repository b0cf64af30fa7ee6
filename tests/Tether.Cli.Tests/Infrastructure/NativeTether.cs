using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Tether.Cli.Tests.Infrastructure;

/// <summary>
/// The native (AOT) <c>tether</c> this machine builds with the README's first command, published once per test run for
/// the specs that drive it (<see cref="NativeBinarySpecs"/>). It is published into this test project's <c>obj/</c>
/// with its own artifacts path, so it never touches the outputs the other specs run from, and MSBuild's up-to-date
/// checks make a second run without source changes take seconds. A publish that fails, or that warns (a trimming or
/// AOT warning is an error in this repository), fails every spec that needs the binary, with the publish's output.
/// </summary>
public sealed class NativeTether : IAsyncLifetime
{
    /// <summary>A cold publish on a busy 2-core machine takes a few minutes; far beyond that, it hangs.</summary>
    private static readonly TimeSpan PublishLimit = TimeSpan.FromMinutes(15);

    /// <summary>The published binary.</summary>
    public string Path { get; private set; } = "";

    /// <summary>The binary's symbols, which the publish writes beside it (<c>Tether.Cli.dbg</c>).</summary>
    public string Symbols => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, "Tether.Cli.dbg");

    /// <summary>The repository the binary was built from.</summary>
    public string RepositoryRoot { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var project = ProjectDirectory();
        var root = Directory.GetParent(project)!.Parent!.FullName;
        RepositoryRoot = root;
        var work = System.IO.Path.Combine(project, "obj", "native-tether");
        var output = System.IO.Path.Combine(work, "bin");
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        foreach (var argument in (string[])[
            "publish", System.IO.Path.Combine(root, "src", "Tether.Cli", "Tether.Cli.csproj"),
            "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier, "-p:PublishAot=true",
            "--artifacts-path", System.IO.Path.Combine(work, "artifacts"), "-o", output,
            "-nologo", "-nodeReuse:false", "-p:UseSharedCompilation=false",
        ])
        {
            info.ArgumentList.Add(argument);
        }

        // No build server may outlive the spec; and the outer test run's MSBuild settings are not this publish's.
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly" })
        {
            info.Environment.Remove(name);
        }

        using var publish = Process.Start(info)!;
        publish.StandardInput.Close();
        var stdout = publish.StandardOutput.ReadToEndAsync();
        var stderr = publish.StandardError.ReadToEndAsync();
        try
        {
            await publish.WaitForExitAsync().WaitAsync(PublishLimit);
        }
        finally
        {
            if (!publish.HasExited)
            {
                publish.Kill(entireProcessTree: true);
            }
        }

        var log = new StringBuilder().Append(await stdout).Append(await stderr).ToString();
        Path = System.IO.Path.Combine(output, "tether");
        if (publish.ExitCode != 0 || !File.Exists(Path))
        {
            throw new InvalidOperationException($"The native publish failed (exit {publish.ExitCode}):\n{Tail(log)}");
        }

        var warnings = log.Split('\n').Where(l => l.Contains(": warning ", StringComparison.Ordinal)).Distinct().ToList();
        if (warnings.Count > 0)
        {
            throw new InvalidOperationException($"The native publish warned ({warnings.Count}); fix each at its source:\n{string.Join('\n', warnings)}");
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string ProjectDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Tether.Cli.Tests.csproj")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Tether.Cli.Tests.csproj above {AppContext.BaseDirectory}: the native specs run from the repository's build output.");
    }

    /// <summary>The dotnet that runs this test run (the SDK names it for child processes), else the one on PATH.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Environment.ProcessPath is { } self && System.IO.Path.GetFileName(self) == "dotnet" ? self
        : "dotnet";

    private static string Tail(string log)
    {
        var lines = log.Split('\n');
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 60)));
    }
}
