namespace Tether.Text;

/// <summary>Which part of a too-long text <see cref="Utf8Text.Cut(string, int, CutKeep)"/> keeps.</summary>
internal enum CutKeep
{
    /// <summary>The beginning; the marker goes at the end.</summary>
    Head,

    /// <summary>The end (where a failing command usually says why); the marker goes at the beginning.</summary>
    Tail,

    /// <summary>Half the budget for the beginning and half for the end; the marker goes in the middle.</summary>
    HeadAndTail,
}
