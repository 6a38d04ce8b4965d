namespace BlockStore.Cli;

/// <summary>Reads one timeline forward, oldest first, a page at a time, through the store's public reads.</summary>
internal abstract class TimelineCursor(IMessageStore store, string id)
{
    /// <summary>Messages held per cursor: a full export keeps one page per timeline in memory.</summary>
    protected const int PageSize = 32;

    private IReadOnlyList<Message> _page = [];
    private int _index = -1;
    private bool _ended;

    /// <summary>The timeline's id.</summary>
    public string Id { get; } = id;

    /// <summary>The message the cursor is on, after <see cref="MoveNextAsync"/> returned true.</summary>
    public Message Current => _page[_index];

    protected IMessageStore Store { get; } = store;

    /// <summary>Moves to the next message; false once the timeline has no more.</summary>
    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        if (_index + 1 < _page.Count)
        {
            _index++;
            return true;
        }

        if (_ended)
        {
            return false;
        }

        Message? last = _page.Count > 0 ? _page[^1] : null;
        _page = await ReadAfterAsync(last, cancellationToken).ConfigureAwait(false);
        _index = 0;
        _ended = _page.Count == 0;
        return !_ended;
    }

    /// <summary>The next page: messages after <paramref name="last"/> (null: from the start), oldest first; empty at the end.</summary>
    protected abstract Task<IReadOnlyList<Message>> ReadAfterAsync(Message? last, CancellationToken cancellationToken);
}

/// <summary>A conversation read forward by time (the store pages conversations backwards by SeqId, forwards only by time).</summary>
internal sealed class ConvCursor(IMessageStore store, string convId) : TimelineCursor(store, convId)
{
    protected override async Task<IReadOnlyList<Message>> ReadAfterAsync(Message? last, CancellationToken cancellationToken)
    {
        DateTimeOffset from = last?.CreatedAt ?? DateTimeOffset.UnixEpoch;
        long after = last?.SeqId ?? 0;

        // Messages sharing the last page's final millisecond come again; when a whole page shares it, ask for a larger one.
        for (int limit = PageSize; ; limit *= 2)
        {
            IReadOnlyList<Message> page = await Store.GetConvMessagesByTimeAsync(Id, from, DateTimeOffset.MaxValue, limit, cancellationToken).ConfigureAwait(false);
            Message[] newer = [.. page.Where(m => m.SeqId > after)];
            if (newer.Length > 0 || page.Count < limit)
            {
                return newer;
            }
        }
    }
}

/// <summary>A user timeline read forward by SeqId.</summary>
internal sealed class UserCursor(IMessageStore store, string userId) : TimelineCursor(store, userId)
{
    protected override Task<IReadOnlyList<Message>> ReadAfterAsync(Message? last, CancellationToken cancellationToken) =>
        Store.GetUserMessagesAsync(Id, last?.SeqId ?? 0, PageSize, cancellationToken);
}
