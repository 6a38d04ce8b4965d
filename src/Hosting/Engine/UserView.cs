namespace BlockStore.Engine;

/// <summary>What a read of one user's timeline must skip: the part a user delete removed, and entries of deleted or expired conversation history.</summary>
internal readonly struct UserView
{
    private readonly LifecycleRules? _rules;
    private readonly long _nowMs;

    public UserView(LifecycleRules rules, string userId)
    {
        if (rules.IsEmpty)
        {
            return;
        }

        _rules = rules;
        _nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        DeletedThrough = rules.UserDeletedThrough(userId);
    }

    /// <summary>Entries up to this SeqId were removed by a user delete.</summary>
    public long DeletedThrough { get; }

    /// <summary>True when no read may return the entry.</summary>
    public bool Hidden(in UserEntry entry) =>
        _rules is { } rules
        && (entry.SeqId <= DeletedThrough || entry.SeqId <= rules.DeletedThrough(entry.ConvId) || entry.Timestamp < rules.ExpiredBefore(entry.ConvId, _nowMs));
}
