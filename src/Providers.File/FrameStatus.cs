namespace BlockStore.Providers.File;

/// <summary>What <see cref="FrameReader.Next"/> found.</summary>
internal enum FrameStatus
{
    /// <summary>A complete frame whose checksum matches.</summary>
    Ok,

    /// <summary>The end of the data, exactly at a frame boundary.</summary>
    End,

    /// <summary>A frame cut short by the end of the data, or a bad last frame: the signature of an interrupted write.</summary>
    Torn,

    /// <summary>A frame whose checksum fails with more data after it.</summary>
    Damaged,
}
