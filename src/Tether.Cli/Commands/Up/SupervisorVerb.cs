using System.CommandLine;
using Tether.Supervisor;

namespace Tether.Cli.Commands;

/// <summary>
/// What the verbs that talk to a running supervisor share (<c>status</c>, <c>logs</c>, <c>start</c>, <c>stop</c>,
/// <c>restart</c>, <c>scale</c>, <c>reload</c>, <c>down</c>): finding the project as <c>tether up</c> does (the current
/// directory, or the directory of <c>-f FILE</c>), its control socket, and one way to report that no supervisor runs
/// there or that it refused.
/// </summary>
internal abstract class SupervisorVerb : Verb
{
    /// <summary>How the verbs' help pages say where the project is.</summary>
    public const string Lookup =
        "The project is the current directory, or the directory of -f FILE (its tether.yaml or Procfile); the\n"
        + "supervisor 'tether up' started there answers on .tether/control.sock.";

    /// <summary>Creates the verb with its <c>--file</c> option (<c>-f</c> too unless <paramref name="shortFile"/> is false: <c>logs -f</c> follows).</summary>
    protected SupervisorVerb(VerbContext context, string name, string description, string usage, string notes, bool shortFile = true)
        : base(context, name, description, usage, notes)
    {
        File = shortFile ? new Option<string>("--file", "-f") : new Option<string>("--file");
        File.HelpName = "FILE";
        File.Description = "The project's tether.yaml or Procfile; its directory is the project [default: the current directory].";
        Add(File);
    }

    /// <summary>The <c>--file</c> option.</summary>
    protected Option<string> File { get; }

    /// <summary>The project directory: the directory of <c>--file</c>, or the current directory.</summary>
    /// <exception cref="UsageException">--file names nothing.</exception>
    protected string ProjectDirectory(ParseResult parse) => FindProject(parse.GetValue(File));

    /// <summary>The client of the project's supervisor.</summary>
    protected ControlClient Client(ParseResult parse) => new(ControlSocket.ForProject(ProjectDirectory(parse)));

    /// <summary>The project directory of <paramref name="file"/> (a file or a directory), or the current directory when null.</summary>
    /// <exception cref="UsageException">It does not exist.</exception>
    public static string FindProject(string? file)
    {
        if (file is null)
        {
            return Environment.CurrentDirectory;
        }

        var full = Path.GetFullPath(file);
        if (Directory.Exists(full))
        {
            return full;
        }

        return System.IO.File.Exists(full)
            ? Path.GetDirectoryName(full)!
            : throw new UsageException($"-f {file}: no such file or directory: name the project's tether.yaml or Procfile, or run from its directory.");
    }

    /// <summary>Runs <paramref name="action"/>, turning "no supervisor", a refusal and a broken connection into one line and exit 1.</summary>
    protected async Task<int> GuardAsync(Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (SupervisorNotRunningException ex)
        {
            return Fail($"{Name}: {ex.Message}.", "not_running");
        }
        catch (ControlApiException ex)
        {
            return Fail($"{Name}: {ex.Message}", ex.Code);
        }
        catch (OperationCanceledException) when (Interruption.StopRequested.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or System.Net.Sockets.SocketException or FormatException or UnauthorizedAccessException)
        {
            return Fail($"{Name}: {ex.Message}");
        }
    }

    /// <summary><c>web</c> for a service's only instance, <c>web#1</c> when it has replicas.</summary>
    protected static string InstanceName(InstanceId id, IReadOnlyList<InstanceStatus> all) =>
        id.Index == 0 && all.Count(i => i.Id.Service == id.Service) == 1 ? id.Service : id.ToString();
}
