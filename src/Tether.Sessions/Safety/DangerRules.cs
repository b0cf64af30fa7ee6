using System.Collections.Immutable;
using System.Diagnostics.Contracts;
using System.Text.RegularExpressions;

namespace Tether.Sessions;

/// <summary>
/// The rules <see cref="DangerCheck"/> applies to each simple command of a line: a preset
/// (<see cref="Minimal"/>, <see cref="Moderate"/>, <see cref="Strict"/>), optionally with custom patterns from the
/// configuration (<see cref="WithPattern"/>, <see cref="FromConfig"/>). Immutable; each <c>With…</c> returns a new
/// value.
/// </summary>
/// <remarks>
/// <para><b>Per simple command.</b> The line is taken apart first (<see cref="ShellLine"/>): every command of
/// <c>a &amp;&amp; b || c; d | e &amp;</c>, of subshells, substitutions and <c>bash -c '…'</c> scripts is checked on
/// its own, after <c>sudo</c>, <c>env</c>, <c>nohup</c>, <c>VAR=value</c> and the like are taken off its front — so
/// <c>cd x &amp;&amp; rm -rf y</c> and <c>echo ok | sudo rm -rf /</c> are caught (rec 0.2 anchored its patterns at
/// the start of the line and missed them), while quoted text (<c>echo "rm -rf /"</c>) and comments are not
/// commands.</para>
/// <para><b>Case-insensitive.</b> Program names, subcommands, flags and paths are compared in lower case:
/// <c>RM -RF /</c> is caught. Linux itself is case-sensitive, but a recorded session may be replayed on a
/// case-insensitive file system (macOS), where <c>RM</c> runs <c>rm</c>; and a detector that errs towards flagging
/// costs a prompt, one that errs the other way costs data. The price is a few false alarms under
/// <see cref="Strict"/> (<c>chmod -r file</c>, which removes read permission, reads as <c>-R</c>).</para>
/// <para><b>Flags</b> count combined or separate, anywhere before <c>--</c> (GNU tools accept options after operands):
/// <c>-rf</c>, <c>-fr</c>, <c>-r -f</c>, <c>-R</c>, <c>--recursive --force</c>, and long options abbreviated to three
/// letters or more (<c>--rec</c>).</para>
/// <para><b>One finding per command</b>: the first rule that matches, in <see cref="Rules"/> order — the
/// <see cref="DangerPreset.Minimal"/> rules, then <see cref="DangerPreset.Moderate"/>'s, then
/// <see cref="DangerPreset.Strict"/>'s, then custom patterns — so the reason given is the gravest.</para>
/// <para><b>Lines that do not parse</b> (an unterminated quote or substitution, a redirection without a target,
/// nesting too deep to read) are reported by the rule <c>unparsed_line</c>, part of every preset: the shell would
/// refuse such a line or wait for more input, and what cannot be read cannot be vouched for. The commands that could
/// be read are checked as well.</para>
/// </remarks>
public sealed partial class DangerRules
{
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(200);

    private DangerRules(ImmutableArray<DangerRule> rules) => Rules = rules;

    /// <summary>The rules, in the order they are tried on each command.</summary>
    public ImmutableArray<DangerRule> Rules { get; }

    /// <summary>No rules at all: nothing is dangerous (start here for custom patterns only).</summary>
    public static DangerRules None { get; } = new([]);

    /// <summary>The <see cref="DangerPreset.Minimal"/> preset: irreversible loss of a system or its data.</summary>
    public static DangerRules Minimal { get; } = new([.. MinimalRules()]);

    /// <summary>The <see cref="DangerPreset.Moderate"/> preset: <see cref="Minimal"/>, and what loses work or takes
    /// things down.</summary>
    public static DangerRules Moderate { get; } = new([.. MinimalRules(), .. ModerateRules()]);

    /// <summary>The <see cref="DangerPreset.Strict"/> preset: <see cref="Moderate"/>, and anything that deletes,
    /// escalates or changes shared state.</summary>
    public static DangerRules Strict { get; } = new([.. MinimalRules(), .. ModerateRules(), .. StrictRules()]);

    /// <summary>The rules of a preset.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="preset"/> is not a defined preset.</exception>
    public static DangerRules For(DangerPreset preset) => preset switch
    {
        DangerPreset.Minimal => Minimal,
        DangerPreset.Moderate => Moderate,
        DangerPreset.Strict => Strict,
        _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, "Not a danger preset."),
    };

    /// <summary>
    /// These rules and the custom patterns of a configuration file, in the order given (the file's format and its
    /// loading are not this type's business).
    /// </summary>
    /// <param name="preset">The preset to start from.</param>
    /// <param name="patterns">The custom patterns.</param>
    /// <exception cref="ArgumentException">A pattern is invalid, see <see cref="WithPattern"/>.</exception>
    public static DangerRules FromConfig(DangerPreset preset, IEnumerable<DangerPattern> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        var rules = For(preset);
        foreach (var pattern in patterns)
        {
            ArgumentNullException.ThrowIfNull(pattern, nameof(patterns));
            rules = rules.WithPattern(pattern.Id, pattern.Pattern, pattern.Reason);
        }

        return rules;
    }

    /// <summary>
    /// These rules and a custom pattern: a .NET regular expression matched case-insensitively against each simple
    /// command — its <see cref="SimpleCommand.Text"/> (prefixes included: <c>sudo deploy prod</c>), and its
    /// <see cref="SimpleCommand.Words"/> joined by spaces (prefixes taken off: <c>deploy prod</c>), so that
    /// <c>^deploy\s+prod</c> catches <c>cd app &amp;&amp; sudo deploy prod</c>. A match that takes longer than 200 ms is
    /// counted as a match.
    /// </summary>
    /// <param name="id">The rule's id, reported in findings: not blank, no white space, unique among the rules.</param>
    /// <param name="pattern">The regular expression.</param>
    /// <param name="reason">Why a match is dangerous, in words: not blank.</param>
    /// <exception cref="ArgumentException">The id is blank, has white space or is taken; the pattern is not a valid
    /// regular expression; the reason is blank.</exception>
    [Pure]
    public DangerRules WithPattern(string id, string pattern, string reason)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(reason);
        if (id.Length == 0 || id.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"A danger pattern's id must be a non-empty word without spaces, not '{id}'.", nameof(id));
        }

        if (Rules.Any(r => r.Id == id))
        {
            throw new ArgumentException($"There is already a danger rule with the id '{id}'.", nameof(id));
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ArgumentException($"The danger pattern '{id}' needs a reason.", nameof(reason));
        }

        var regex = Compile(id, pattern);
        var rule = DangerRule.ForCommand(id, reason, preset: null, input =>
            Matches(regex, input.Command.Text) || Matches(regex, string.Join(' ', input.Command.Words)));
        return new DangerRules(Rules.Add(rule));
    }

    /// <summary>These rules without the one with <paramref name="id"/> (the same rules when there is none).</summary>
    /// <param name="id">The rule's id, such as <c>unparsed_line</c> or <c>git_push</c>.</param>
    [Pure]
    public DangerRules Without(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return new DangerRules(Rules.RemoveAll(r => r.Id == id));
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join(", ", Rules.Select(r => r.Id));

    private static Regex Compile(string id, string pattern)
    {
        const RegexOptions options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
        try
        {
            try
            {
                // Linear time, so a pattern from a configuration file cannot hang a replay…
                return new Regex(pattern, options | RegexOptions.NonBacktracking, PatternTimeout);
            }
            catch (NotSupportedException)
            {
                // …unless it needs backtracking (backreferences, lookarounds): then the timeout bounds it.
                return new Regex(pattern, options, PatternTimeout);
            }
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The danger pattern '{id}' is not a valid regular expression: {e.Message}", nameof(pattern), e);
        }
    }

    private static bool Matches(Regex regex, string text)
    {
        try
        {
            return regex.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return true; // what cannot be checked in time is treated as dangerous
        }
    }
}
