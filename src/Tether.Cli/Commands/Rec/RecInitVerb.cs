using System.CommandLine;
using Tether.Sessions;

namespace Tether.Cli.Commands;

/// <summary><c>tether rec init bash|zsh|fish</c>: prints the shell hooks that record commands.</summary>
internal sealed class RecInitVerb : RecVerb
{
    private const string Usage = "bash|zsh|fish";

    private const string Notes = """
        Prints a script that defines the hooks and a 'tether' shell function. Load it from your shell's
        startup file; nothing is recorded until 'tether rec start'.

        Examples:
          eval "$(tether rec init bash)"        # in ~/.bashrc
          eval "$(tether rec init zsh)"         # in ~/.zshrc
          tether rec init fish | source         # in ~/.config/fish/config.fish

        """;

    public RecInitVerb(VerbContext context)
        : base(context, "init", "Print the shell hooks that record commands; eval them in your shell's startup file.", Usage, Notes)
    {
        var shell = new Argument<string>("SHELL") { Description = "bash, zsh or fish." };
        Add(shell);
        SetAction(parse =>
        {
            var name = parse.GetValue(shell) ?? "";
            if (!ShellHooks.TryParse(name, out var kind))
            {
                throw new UsageException($"rec init: '{name}' is not a shell with recording hooks: write bash, zsh or fish, as in 'tether rec init bash'.");
            }

            string script;
            try
            {
                script = ShellHooks.Script(kind, RecordingDirectory.ResolvePath());
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                return Fail($"rec init: {Printable(Cause(e))}");
            }

            Console.Out.Write(script);
            Console.Out.Flush();
            return ExitCodes.Success;
        });
    }
}
