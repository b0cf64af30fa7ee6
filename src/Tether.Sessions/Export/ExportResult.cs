using System.Collections.Immutable;

namespace Tether.Sessions;

/// <summary>An exported session: the text, and what the caller should tell the user about it.</summary>
public sealed record ExportResult
{
    /// <summary>The exported file's content, ending with a line break.</summary>
    public required string Text { get; init; }

    /// <summary>
    /// Names of <c>{{NAME}}</c> placeholders left in <see cref="Text"/> because <see cref="ExportOptions.Parameters"/>
    /// had no value for them, sorted; empty when every placeholder was filled.
    /// </summary>
    public ImmutableArray<string> Unfilled { get; init; } = [];

    /// <summary>Names in <see cref="ExportOptions.Parameters"/> that matched no placeholder (a typo, usually), sorted.</summary>
    public ImmutableArray<string> Unused { get; init; } = [];

    /// <summary>The indexes (<see cref="RecordedCommand.Index"/>) of failed commands left out because <see cref="ExportOptions.IncludeFailed"/> was false.</summary>
    public ImmutableArray<int> Omitted { get; init; } = [];

    /// <summary>The exported text.</summary>
    public override string ToString() => Text;
}
