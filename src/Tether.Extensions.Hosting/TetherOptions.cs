using System.Text.RegularExpressions;

namespace Tether.Extensions.Hosting;

/// <summary>
/// Settings of Tether in a host, bound from the configuration section <see cref="SectionName"/> ("Tether") and
/// adjustable in code with <c>AddTether(options => …)</c>.
/// </summary>
/// <example>
/// <code>
/// "Tether": { "SecretFlags": [ "--api-key" ], "SecretPatterns": [ "sk_live_[A-Za-z0-9]+" ] }
/// </code>
/// </example>
public sealed class TetherOptions
{
    /// <summary>The configuration section the options are read from.</summary>
    public const string SectionName = "Tether";

    /// <summary>
    /// Flags whose values are secret beyond <see cref="RedactionPolicy.DefaultFlags"/> (<c>--api-key x</c>,
    /// <c>--api-key=x</c>): masked as <c>***</c> in every log line Tether writes.
    /// </summary>
    public IList<string> SecretFlags { get; } = [];

    /// <summary>Regular expressions whose matches are secret in logged command lines and messages.</summary>
    public IList<string> SecretPatterns { get; } = [];

    /// <summary>Log each run's start at <c>Debug</c> and its end at <c>Information</c> (failures at <c>Warning</c>); on by default.</summary>
    public bool LogRuns { get; set; } = true;

    /// <summary>The one redaction policy with these options' flags and patterns added to the defaults.</summary>
    /// <exception cref="ArgumentException">A pattern is not a valid regular expression.</exception>
    public RedactionPolicy ToRedactionPolicy()
    {
        var policy = RedactionPolicy.Default;
        if (SecretFlags.Count > 0)
        {
            policy = policy.WithFlags(SecretFlags);
        }

        foreach (var pattern in SecretPatterns)
        {
            try
            {
                policy = policy.WithPattern(new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"Tether:SecretPatterns has an invalid regular expression '{pattern}': {ex.Message}. Fix the pattern in the configuration.", ex);
            }
        }

        return policy;
    }
}
