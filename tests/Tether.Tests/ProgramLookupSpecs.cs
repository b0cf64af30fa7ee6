namespace Tether.Tests;

public sealed class ProgramLookupSpecs : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tether-lookup-").FullName;

    [Fact]
    public async Task A_relative_program_path_is_taken_from_the_working_directory()
    {
        // Arrange
        var script = Path.Combine(_directory, "hello.sh");
        await File.WriteAllTextAsync(script, "#!/bin/sh\necho from the working directory\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);

        // Act
        var output = await ProcessRunner.Default.RunAsync(new Command("./hello.sh").WithWorkingDirectory(_directory)).Soon();

        // Assert
        Assert.Equal("from the working directory", output);
    }

    [Fact]
    public async Task A_missing_program_lists_each_searched_directory_once()
    {
        var command = new Command("no-such-program-anywhere").WithEnvironmentVariable("PATH", $"{_directory}:/usr/bin:{_directory}:/bin");

        var error = await Assert.ThrowsAsync<ProgramNotFoundException>(() => ProcessRunner.Default.OutputStringAsync(command));

        Assert.Equal([_directory, "/usr/bin", "/bin"], error.SearchedPaths);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
