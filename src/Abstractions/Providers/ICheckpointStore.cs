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
    /// <summary>Removes the checkpoint of <paramref name="userId"/> (erasure of a user), durable when it returns; removing a missing one is harmless. Default: not supported.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the removal is durable.</returns>
    ValueTask DeleteAsync(string userId, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("This storage provider cannot delete checkpoints, so its data sets cannot erase users.");
}
