namespace Tether.Tests;

public sealed class BadInputSpecs
{
    [Fact]
    public async Task A_program_missing_from_PATH_is_reported_with_the_directories_searched()
    {
        // Arrange
        var pathDirectories = Environment.GetEnvironmentVariable("PATH")!.Split(':', StringSplitOptions.RemoveEmptyEntries);

        // Act
        var error = await Assert.ThrowsAsync<ProgramNotFoundException>(() => ProcessRunner.Default.OutputStringAsync(new Command("tether-specs-no-such-program")));

        // Assert
        Assert.Equal("tether-specs-no-such-program", error.Program);
        Assert.All(pathDirectories, directory => Assert.Contains(directory, error.SearchedPaths));
        Assert.Contains("tether-specs-no-such-program", error.Message, StringComparison.Ordinal);
        Assert.Contains(pathDirectories[0], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_program_path_is_reported_as_not_found()
    {
        var error = await Assert.ThrowsAsync<ProgramNotFoundException>(() => ProcessRunner.Default.StartAsync(new Command("/nonexistent/tether-specs/program")));

        Assert.Equal("/nonexistent/tether-specs/program", error.Program);
    }

    [Fact]
    public async Task A_missing_working_directory_fails_the_spawn_and_names_the_directory()
    {
        var command = Shell.Command("pwd").WithWorkingDirectory("/nonexistent/tether-specs/dir");

        var error = await Assert.ThrowsAsync<SpawnFailedException>(() => ProcessRunner.Default.OutputStringAsync(command));

        Assert.Equal("/bin/sh", error.Program);
        Assert.Contains("/nonexistent/tether-specs/dir", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_NUL_character_is_refused_when_the_command_is_built()
    {
        var command = new Command("echo");

        Assert.Throws<ArgumentException>(() => command.WithArguments("fine", "not\0fine"));
        Assert.Throws<ArgumentException>(() => command.AddArgument("not\0fine"));
        Assert.Throws<ArgumentException>(() => command.AddSecretArgument("not\0fine"));
        Assert.Throws<ArgumentException>(() => new Command("ec\0ho"));
        Assert.Throws<ArgumentException>(() => command.WithWorkingDirectory("/tmp\0"));
    }

    [Fact]
    public void An_empty_program_name_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new Command(""));
    }

    [Fact]
    public async Task A_directory_is_not_a_program()
    {
        var directory = AppContext.BaseDirectory.TrimEnd('/');

        var error = await Assert.ThrowsAsync<SpawnFailedException>(() => ProcessRunner.Default.OutputStringAsync(new Command(directory)));

        Assert.Contains("directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_without_execute_permission_is_not_a_program()
    {
        var path = Path.GetTempFileName();
        try
        {
            // Arrange
            await File.WriteAllTextAsync(path, "#!/bin/sh\necho should not run\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

            // Act
            var error = await Assert.ThrowsAsync<SpawnFailedException>(() => ProcessRunner.Default.OutputStringAsync(new Command(path)));

            // Assert
            Assert.Equal(path, error.Program);
            Assert.Contains("not executable", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Bad_limits_are_refused_when_the_command_is_built()
    {
        var command = new Command("true");

        Assert.Throws<ArgumentException>(() => command.WithOkExitCodes());
        Assert.Throws<ArgumentOutOfRangeException>(() => command.WithOutputLimit(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => command.WithDrainTimeout(TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task A_pipeline_with_a_missing_program_starts_no_stage_at_all()
    {
        // Arrange: a first stage that could be found by its unique argument if it had been started.
        var marker = $"600.{Random.Shared.Next(100_000, 999_999)}";
        var pipeline = new Command("sleep").WithArguments(marker) | new Command("tether-specs-no-such-program");

        // Act
        await Assert.ThrowsAsync<ProgramNotFoundException>(() => ProcessRunner.Default.StartAsync(pipeline));

        // Assert
        Assert.Empty(ProcessesWithArgument(marker));
    }

    private static List<int> ProcessesWithArgument(string argument)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0').Contains(argument))
                {
                    found.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // It ended while we looked.
            }
        }

        return found;
    }
}
