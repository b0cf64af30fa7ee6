namespace Tether.Cli;

/// <summary>What a verb's <c>--help</c> shows beyond System.CommandLine's sections.</summary>
/// <param name="Usage">The usage line after <c>tether VERB </c>, replacing the generated one; or null to keep it.</param>
/// <param name="Notes">Text after the options: exit codes, behaviour, examples; or null.</param>
internal sealed record HelpPage(string? Usage, string? Notes);
