namespace BlockStore;

/// <summary>Thrown when a data set is already open in this or another process.</summary>
public sealed class StoreLockedException : BlockStoreException
{
    /// <summary>Creates the exception for the data set at <paramref name="location"/>.</summary>
    /// <param name="location">The directory or database of the data set.</param>
    /// <param name="innerException">The underlying locking error.</param>
    public StoreLockedException(string location, Exception? innerException = null)
        : base($"The BlockStore data set at '{location}' is already open in this or another process.", innerException)
    {
        Location = location;
    }

    /// <summary>The directory or database of the data set that is locked.</summary>
    public string Location { get; }
}
