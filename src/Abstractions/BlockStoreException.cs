namespace BlockStore;

/// <summary>The base of every error BlockStore reports about its data or its storage.</summary>
public class BlockStoreException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public BlockStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying error.</param>
    public BlockStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
