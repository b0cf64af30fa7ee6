using System.Collections.Immutable;
using System.Diagnostics.Contracts;
using System.Text.RegularExpressions;

namespace Tether;

/// <summary>
/// The one rule for what counts as a secret in a command line or in output, used by everything Tether writes or shows:
/// journal records, cassettes, <see cref="Command.ToString"/>, exception messages and recorded shell sessions. A
/// secret is replaced by <see cref="Mask"/>; the text around it stays, so <c>--password=hunter2</c> becomes
/// <c>--password=***</c> wherever it is stored. Immutable; each <c>With…</c> returns a new policy.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Default"/> recognises: the value of a secret flag (<see cref="DefaultFlags"/>, as <c>--flag value</c>,
/// <c>--flag=value</c> or a quoted value); the password after <c>-p</c> for the programs where <c>-p</c> means password
/// (<see cref="PasswordShortFlagPrograms"/>: <c>mysql</c>, <c>mysqldump</c>, <c>sshpass</c>, …, as <c>-p value</c> or
/// <c>-pvalue</c>); the credentials of an <c>Authorization:</c> header (<c>Bearer</c>, <c>Basic</c>, <c>Token</c>,
/// <c>Digest</c>) and of an API-key header; the password in a URL (<c>https://user:password@host</c>); and the value of
/// <c>NAME=value</c> when NAME names a secret (<c>API_KEY</c>, <c>AWS_SECRET_ACCESS_KEY</c>, <c>*_TOKEN</c>,
/// <c>*_PASSWORD</c>, <c>*_SECRET</c>, <c>DB_PASS</c>, …).
/// </para>
/// <para>
/// Whatever the rules, an argument marked with <see cref="Command.AddSecretArgument"/> is always masked, and every value
/// masked in a command's arguments is masked again should the program echo it in its output (see <see cref="Redactor"/>).
/// Environment values are never written anywhere, so no rule is needed for them. The heuristics are a safety net, not a
/// substitute for marking secrets.
/// </para>
/// </remarks>
public sealed class RedactionPolicy
{
    /// <summary>What a secret is replaced with, in every file and message Tether writes: three asterisks.</summary>
    public const string Mask = "***";

    /// <summary>The flags whose value <see cref="Default"/> masks.</summary>
    public static readonly ImmutableArray<string> DefaultFlags =
    [
        "--password", "--passwd", "--pass", "--token", "--access-token", "--auth-token", "--auth", "--api-key", "--apikey",
        "--secret", "--client-secret", "--secret-key", "--access-key", "--private-key",
    ];

    /// <summary>The programs for which <see cref="Default"/> reads <c>-p</c> as "password" (for most programs it is not).</summary>
    public static readonly ImmutableArray<string> PasswordShortFlagPrograms =
    [
        "mysql", "mysqldump", "mysqladmin", "mysqlimport", "mysqlcheck", "mysqlshow", "mysqlpump", "mysqlbinlog",
        "mariadb", "mariadb-dump", "mariadb-admin", "mariadb-import", "mariadb-check", "sshpass",
    ];

    private RedactionPolicy(ImmutableArray<string> flags, ImmutableArray<string> passwordPrograms, bool secretNames, ImmutableArray<Regex> patterns)
    {
        Flags = flags;
        PasswordPrograms = passwordPrograms;
        MasksSecretNames = secretNames;
        Patterns = patterns;
        Text = new TextRules(this);
    }

    /// <summary>No rules: only arguments marked secret on the command (and their echoes in output) are masked.</summary>
    public static RedactionPolicy None { get; } = new([], [], false, []);

    /// <summary>The rules every Tether writer uses unless told otherwise; see the remarks on <see cref="RedactionPolicy"/>.</summary>
    public static RedactionPolicy Default { get; } = new(DefaultFlags, PasswordShortFlagPrograms, true, [.. TextRules.BuiltInPatterns]);

    /// <summary>The flags whose value is masked, given as <c>--flag value</c> or <c>--flag=value</c>.</summary>
    public ImmutableArray<string> Flags { get; }

    /// <summary>The programs (by file name) after which <c>-p value</c> and <c>-pvalue</c> carry a password.</summary>
    public ImmutableArray<string> PasswordPrograms { get; }

    /// <summary>Whether <c>NAME=value</c> is masked when NAME names a secret (<c>API_KEY</c>, <c>*_TOKEN</c>, …).</summary>
    public bool MasksSecretNames { get; }

    /// <summary>The patterns whose matches are masked: only the group named <c>secret</c> when there is one, otherwise
    /// the whole match. <see cref="Default"/> holds the header and URL rules here.</summary>
    public ImmutableArray<Regex> Patterns { get; }

    /// <summary>The rules applied to free text; shared by every method that masks.</summary>
    internal TextRules Text { get; }

    /// <summary>Also masks the value of each flag, given as <c>--flag=value</c> or as <c>--flag value</c>.</summary>
    [Pure]
    public RedactionPolicy WithFlags(params IEnumerable<string> flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        var builder = Flags.ToBuilder();
        foreach (var flag in flags)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(flag, nameof(flags));
            if (!builder.Contains(flag))
            {
                builder.Add(flag);
            }
        }

        return new RedactionPolicy(builder.ToImmutable(), PasswordPrograms, MasksSecretNames, Patterns);
    }

    /// <summary>Also masks every match of <paramref name="pattern"/>: only the group named <c>secret</c> when the pattern
    /// has one, otherwise the whole match.</summary>
    [Pure]
    public RedactionPolicy WithPattern(Regex pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return new RedactionPolicy(Flags, PasswordPrograms, MasksSecretNames, Patterns.Add(pattern));
    }

    /// <summary>Also masks every match of the regular expression <paramref name="pattern"/>; see <see cref="WithPattern(Regex)"/>.</summary>
    [Pure]
    public RedactionPolicy WithPattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        return WithPattern(new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
    }

    /// <summary>Also masks every occurrence of this exact text (a token the caller knows).</summary>
    [Pure]
    public RedactionPolicy WithLiteral(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        return WithPattern(new Regex(Regex.Escape(secret), RegexOptions.CultureInvariant));
    }

    /// <summary>The rules applied to one command line: <paramref name="program"/>, its arguments, and which of them are
    /// marked secret (may be shorter than the arguments, or null).</summary>
    public Redactor For(string program, IReadOnlyList<string> arguments, IReadOnlyList<bool>? secret = null) =>
        new(this, program, arguments, secret);

    /// <summary>The rules applied to <paramref name="command"/>'s program and arguments (its marked secrets included).</summary>
    public Redactor For(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return new Redactor(this, command.Program, command.Arguments, command.SecretArguments);
    }

    /// <summary>
    /// <paramref name="text"/> (output, a message, a log line, a shell command line) with every secret the rules find
    /// masked. A shell line such as <c>mysql -p hunter2</c> or <c>curl -H 'Authorization: Bearer x'</c> comes out masked
    /// exactly as the same words would as arguments.
    /// </summary>
    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Text.Line(text);
    }
}
