namespace Tether;

/// <summary>
/// Whether a variable name (the NAME of <c>NAME=value</c>) names a secret: <c>API_KEY</c>, <c>AWS_SECRET_ACCESS_KEY</c>,
/// <c>GITHUB_TOKEN</c>, <c>DB_PASSWORD</c>, <c>DB_PASS</c>, <c>PGPASSWORD</c>, <c>client_secret</c>, … Names are split
/// into words at underscores and compared whole, so <c>TOKENIZER</c>, <c>SECRETS_DIR</c> and <c>PWD</c> (the working
/// directory) are not secrets.
/// </summary>
internal static class SecretName
{
    private static readonly HashSet<string> SecretWords = new(StringComparer.Ordinal)
    {
        "PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "CREDENTIAL", "CREDENTIALS",
    };

    // Words that are secrets only after a prefix (DB_PASS, MYSQL_PWD), never alone (PWD is the working directory).
    private static readonly HashSet<string> SecretLastWords = new(StringComparer.Ordinal) { "PASS", "PWD" };

    // Names written without underscores that still end in a secret word (PGPASSWORD, GITHUBTOKEN).
    private static readonly string[] SecretEndings = ["PASSWORD", "PASSWD", "TOKEN", "SECRET", "APIKEY"];

    public static bool Matches(string name)
    {
        var upper = name.ToUpperInvariant();
        var words = upper.Split('_', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return false;
        }

        for (var i = 0; i < words.Length; i++)
        {
            if (SecretWords.Contains(words[i]))
            {
                return true;
            }

            if (i + 1 < words.Length && words[i + 1] == "KEY" && words[i] is "API" or "ACCESS" or "PRIVATE" or "SIGNING" or "ENCRYPTION")
            {
                return true;
            }
        }

        if (words.Length > 1 && SecretLastWords.Contains(words[^1]))
        {
            return true;
        }

        return SecretEndings.Any(ending => upper.EndsWith(ending, StringComparison.Ordinal));
    }
}
