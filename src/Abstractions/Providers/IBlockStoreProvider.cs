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

    /// <summary>The largest single value (an encoded block or a journal record) the provider can store; default: <see cref="Array.MaxLength"/>.</summary>
    /// <remarks>
    /// The engine refuses at start-up a <see cref="BlockStoreOptions.MaxBlockBytes"/> above it, never builds a journal record above
    /// it, and refuses a batch that alone would need a larger record.
    /// </remarks>
    long MaxPayloadBytes => Array.MaxLength;
}
