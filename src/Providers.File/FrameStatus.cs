namespace BlockStore.Providers.File;

/// <summary>What <see cref="FrameReader.Next"/> found.</summary>
internal enum FrameStatus
{
    /// <summary>A complete frame whose checksum matches.</summary>
    Ok,

    /// <summary>The end of the data, exactly at a frame boundary.</summary>
    End,

    /// <summary>A frame cut short by the end of the data with no valid frame after its start, or zeros to the end: an interrupted write.</summary>
    Torn,

    /// <summary>A complete frame whose checksum fails, or a frame running past the end with valid frames after its start.</summary>
    Damaged,
}
