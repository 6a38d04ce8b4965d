namespace BlockStore.Benchmarks;

/// <summary>What the macro scenarios drive: the naive SQLite baseline or a BlockStore, behind the same four calls.</summary>
internal interface IChatStore : IAsyncDisposable
{
    /// <summary>The time spent in provider calls so far; null for the baseline, which has no provider.</summary>
    ProviderTimings? Timings { get; }

    /// <summary>True when a write blocks its calling thread until it is durable, so each concurrent writer needs a thread of its own.</summary>
    bool BlocksCallers => false;

    /// <summary>Stores a batch of messages in one durable commit.</summary>
    Task AddBatchAsync(IReadOnlyList<NewMessage> batch);

    /// <summary>Finishes the work an ingest left for later (BlockStore seals the full blocks still waiting in memory); the baselines have none.</summary>
    Task FlushAsync() => Task.CompletedTask;

    /// <summary>Stores one message; completes once it is durable.</summary>
    Task AddAsync(NewMessage message);

    /// <summary>The newest <paramref name="limit"/> messages of a conversation, oldest first.</summary>
    Task<IReadOnlyList<Message>> LatestAsync(string convId, int limit);

    /// <summary>The oldest <paramref name="limit"/> messages of a user's timeline with SeqId above <paramref name="afterSeqId"/>.</summary>
    Task<IReadOnlyList<Message>> UserNextAsync(string userId, long afterSeqId, int limit);
}
