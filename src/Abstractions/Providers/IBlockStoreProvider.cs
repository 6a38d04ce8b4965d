namespace BlockStore.Providers;

/// <summary>A storage provider: opens a data set and hands the engine its three storage interfaces.</summary>
/// <remarks>
/// A provider is registered once per container (for example by <c>UseSqlite</c> or <c>UseFileSystem</c>).
/// <see cref="OpenAsync"/> must take exclusive ownership of the data set and throw <see cref="StoreLockedException"/>
/// when it is already open in this or another process; ownership ends when the session is disposed or the process dies.
/// </remarks>
public interface IBlockStoreProvider
{
    /// <summary>The provider's name as used in configuration (<c>Sqlite</c>, <c>File</c>).</summary>
    string Name { get; }

    /// <summary>Opens (creating if needed) the data set described by <paramref name="options"/> and locks it.</summary>
    /// <param name="options">The validated store options; <see cref="BlockStoreOptions.DataDir"/> locates the data set.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <returns>The open session.</returns>
    ValueTask<IBlockStoreSession> OpenAsync(BlockStoreOptions options, CancellationToken cancellationToken = default);
}
