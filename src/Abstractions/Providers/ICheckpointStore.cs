namespace BlockStore.Providers;

/// <summary>Keeps the users' read checkpoints (the last SeqId each user has read).</summary>
/// <remarks>The engine only ever saves values that move a checkpoint forward; the provider stores what it is given.</remarks>
public interface ICheckpointStore
{
    /// <summary>Returns the stored checkpoint of <paramref name="userId"/>, or 0 when there is none.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The checkpoint.</returns>
    ValueTask<long> GetAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Stores the given checkpoints in one commit, durable as <see cref="BlockStoreOptions.Durability"/> requires.</summary>
    /// <param name="checkpoints">User id and new checkpoint pairs; each user appears at most once.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the checkpoints are durable.</returns>
    ValueTask SaveAsync(IReadOnlyList<KeyValuePair<string, long>> checkpoints, CancellationToken cancellationToken = default);
}
