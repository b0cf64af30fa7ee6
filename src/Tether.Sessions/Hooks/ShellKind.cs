namespace Tether.Sessions;

/// <summary>A shell that <see cref="ShellHooks"/> has recording hooks for.</summary>
public enum ShellKind
{
    /// <summary>bash 5.0 or later.</summary>
    Bash,

    /// <summary>zsh (with the zsh/datetime module, part of every usual build).</summary>
    Zsh,

    /// <summary>fish 3.1 or later.</summary>
    Fish,
}
