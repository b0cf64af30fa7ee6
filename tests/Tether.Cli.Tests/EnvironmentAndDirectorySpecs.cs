using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary>--env, --env-clear, --env-allow and --cwd shape what the program sees.</summary>
public sealed class EnvironmentAndDirectorySpecs
{
    [Fact]
    public async Task I_can_set_variables_and_a_value_may_contain_equals_signs_or_be_empty()
    {
        var result = await Tool.RunAsync(Dummy.Run(["--env", "TETHER_SPEC_A=1", "--env", "TETHER_SPEC_B=x=y", "--env", "TETHER_SPEC_C="],
            "print-env", "TETHER_SPEC_A", "TETHER_SPEC_B", "TETHER_SPEC_C"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["TETHER_SPEC_A=1", "TETHER_SPEC_B=x=y", "TETHER_SPEC_C="], result.StdoutLines);
    }

    [Fact]
    public async Task The_program_inherits_tethers_environment_by_default()
    {
        var result = await Tool.RunAsync(Dummy.Run("print-env", "PATH"));

        Assert.Equal($"PATH={Environment.GetEnvironmentVariable("PATH")}", Assert.Single(result.StdoutLines));
    }

    [Fact]
    public async Task With_env_clear_the_program_sees_only_what_env_sets()
    {
        var result = await Tool.RunAsync(Dummy.Run(["--env-clear", "--env", "TETHER_SPEC_ONLY=1"], "print-env"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("TETHER_SPEC_ONLY=1", result.StdoutLines);
        Assert.DoesNotContain(result.StdoutLines, line => line.StartsWith("PATH=", StringComparison.Ordinal));
        Assert.DoesNotContain(result.StdoutLines, line => line.StartsWith("HOME=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_env_allow_the_program_sees_only_the_named_variables_and_what_env_sets()
    {
        var result = await Tool.RunAsync(Dummy.Run(["--env-allow", "PATH", "--env", "TETHER_SPEC_SET=1"], "print-env", "PATH", "HOME", "TETHER_SPEC_SET"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([$"PATH={Environment.GetEnvironmentVariable("PATH")}", "HOME", "TETHER_SPEC_SET=1"], result.StdoutLines);
    }

    [Fact]
    public async Task I_can_choose_the_working_directory()
    {
        var directory = Directory.CreateTempSubdirectory("tether-cli-spec-");
        try
        {
            var result = await Tool.RunAsync("run", "--cwd", directory.FullName, "--", "/bin/sh", "-c", "pwd -P");

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal(directory.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? directory.FullName, Assert.Single(result.StdoutLines));
        }
        finally
        {
            directory.Delete();
        }
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task A_relative_program_path_is_found_in_the_working_directory()
    {
        var directory = Directory.CreateTempSubdirectory("tether-cli-spec-");
        try
        {
            var script = Path.Combine(directory.FullName, "hello.sh");
            await File.WriteAllTextAsync(script, "#!/bin/sh\necho hello from cwd\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            var result = await Tool.RunAsync("run", "--cwd", directory.FullName, "--", "./hello.sh");

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal("hello from cwd", Assert.Single(result.StdoutLines));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_working_directory_that_does_not_exist_exits_1_with_one_line_saying_what_to_do()
    {
        var missing = Path.Combine(Path.GetTempPath(), "tether-cli-spec-missing-" + Guid.NewGuid().ToString("N"));

        var result = await Tool.RunAsync(Dummy.Run(["--cwd", missing], "exit", "0"));

        Assert.True(result.ExitCode == 1, result.ToString());
        var line = result.SingleErrorLine();
        Assert.Contains(missing, line, StringComparison.Ordinal);
        Assert.Contains("does not exist", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_working_directory_that_is_a_file_exits_1()
    {
        var file = Path.GetTempFileName();
        try
        {
            var result = await Tool.RunAsync(Dummy.Run(["--cwd", file], "exit", "0"));

            Assert.True(result.ExitCode == 1, result.ToString());
            Assert.Contains("is a file, not a directory", result.SingleErrorLine(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
