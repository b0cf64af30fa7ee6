namespace Tether.Tests.Infrastructure;

/// <summary>The repo's own dummy program (tests/Tether.Dummy), copied next to the tests.</summary>
internal static class Dummy
{
    public static string Path { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "Tether.Dummy");

    /// <summary>
    /// Where the .NET runtime lives. The dummy's apphost needs it when the environment is cleared and the runtime is
    /// not in a default location, so specs that clear the environment pass it on explicitly.
    /// </summary>
    public static string DotnetRoot { get; } =
        System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));

    /// <summary>A command running the dummy with a verb and its arguments.</summary>
    public static Command Command(string verb, params string[] arguments) => new Command(Path).WithArguments([verb, .. arguments]);
}

/// <summary><c>/bin/sh -c SCRIPT</c>: the cheap way to run a trivial program (a dummy launch costs a runtime start).</summary>
internal static class Shell
{
    public static Command Command(string script) => new Command("/bin/sh").WithArguments("-c", script);
}

/// <summary>An executable file the kernel cannot run (no <c>#!</c> line, no known format): its exec fails.</summary>
internal static class UnexecutableProgram
{
    /// <summary>Writes one into <paramref name="directory"/>; returns its path.</summary>
    public static async Task<string> CreateAsync(string directory)
    {
        var program = System.IO.Path.Combine(directory, "not-a-program");
        await File.WriteAllBytesAsync(program, [0x7f, 0x00, 0x01, 0x02]);
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        return program;
    }
}
