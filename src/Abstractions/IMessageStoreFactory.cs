namespace BlockStore;

/// <summary>Hands out the <see cref="IMessageStore"/> of any data set (one tenant, workspace or community), opened on first use and closed when idle.</summary>
/// <remarks>
/// A data set id is checked like a timeline id: non-empty, at most 256 UTF-8 bytes, free of control characters. Ids are data,
/// never paths: no id reaches outside <see cref="BlockStoreOptions.DataDir"/>. Memory budgets are shared by all open data sets.
/// </remarks>
public interface IMessageStoreFactory : IAsyncDisposable
{
    /// <summary>Returns the thread-safe store of one data set; it opens on first use and reopens after an idle close, so it may be kept.</summary>
    /// <param name="dataSetId">The data set id.</param>
    /// <returns>The data set's store; disposing it does nothing, the factory owns the data set.</returns>
    /// <exception cref="ArgumentException"><paramref name="dataSetId"/> is null, empty, whitespace, over 256 UTF-8 bytes or holds a control character.</exception>
    /// <exception cref="ObjectDisposedException">The factory has been disposed.</exception>
    IMessageStore Get(string dataSetId);
}
