namespace Tether.Sessions;

/// <summary>
/// A script found inside a command, to be read as shell text of its own: the script of <c>bash -c '…'</c>, the
/// here-string of <c>sh &lt;&lt;&lt; '…'</c>, what <c>echo '…' | sh</c> prints, a here-document fed to a shell.
/// </summary>
/// <param name="Text">The script, unquoted.</param>
/// <param name="Origin">For each character of <paramref name="Text"/>, its position in the original line.</param>
/// <param name="Runner">The command that runs the script: the parent of the commands found in it.</param>
internal readonly record struct EmbeddedScript(string Text, IReadOnlyList<int> Origin, ShellCommandBuilder Runner);
