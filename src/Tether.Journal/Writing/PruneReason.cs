namespace Tether.Journaling;

/// <summary>Why retention deleted a segment.</summary>
public enum PruneReason
{
    /// <summary>There were more segments than <see cref="RetentionPolicy.MaxSegments"/>.</summary>
    SegmentCount,

    /// <summary>The segments together were larger than <see cref="RetentionPolicy.MaxTotalBytes"/>.</summary>
    TotalBytes,

    /// <summary>The segment's newest record was older than <see cref="RetentionPolicy.MaxAge"/>.</summary>
    Age,
}
