using System.Collections.Concurrent;

namespace BlockStore.Engine;

/// <summary>What a lifecycle rule does to the entries it covers.</summary>
internal enum RuleKind : byte
{
    /// <summary>A conversation's entries up to <see cref="LifecycleRule.Value"/> (a SeqId) are gone, and every reference to them.</summary>
    ConversationDeleted = 1,

    /// <summary>A user's timeline entries up to <see cref="LifecycleRule.Value"/> (a SeqId) are gone.</summary>
    UserDeleted = 2,

    /// <summary>A sender's messages up to <see cref="LifecycleRule.Value"/> (a SeqId) are deleted (tombstones).</summary>
    SenderErased = 3,

    /// <summary>A conversation's entries older than <see cref="LifecycleRule.Value"/> milliseconds expire; 0 returns it to the default.</summary>
    Retention = 4,
}

/// <summary>One erasure or retention rule: its kind, its subject (a conversation or user id, or a sender) and its value.</summary>
internal sealed record LifecycleRule(RuleKind Kind, string Id, uint SenderId, long Value) : ICarriedState
{
    /// <summary>The journal record that holds this rule; sealing carries it to a new record before it drops this one.</summary>
    public long JournalId { get; set; }

    /// <summary>Set once a compaction has applied the rule to every block it covers; it then leaves memory and the journal.</summary>
    public bool Applied { get; set; }
}

/// <summary>
/// The erasure and retention rules in force: only the writer changes them (journaled first), readers consult them. Deletes and
/// erasures stay until a compaction has removed what they cover; retention settings stay for good.
/// </summary>
internal sealed class LifecycleRules(long defaultMaxAgeMs)
{
    private readonly ConcurrentDictionary<string, LifecycleRule> _conversations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LifecycleRule> _users = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<uint, LifecycleRule> _senders = new();
    private readonly ConcurrentDictionary<string, LifecycleRule> _retention = new(StringComparer.Ordinal);

    /// <summary>The data set's default retention in milliseconds (<see cref="RetentionOptions.MaxAge"/>), 0 for none.</summary>
    public long DefaultMaxAgeMs { get; } = defaultMaxAgeMs;

    /// <summary>
    /// Whether no rule is in force, and whether some sender is erased: kept by the writer after each change, because every read
    /// asks and <see cref="ConcurrentDictionary{TKey, TValue}.IsEmpty"/> takes all of a dictionary's locks when it is empty.
    /// </summary>
    private volatile bool _noRules = true;
    private volatile bool _erasedSenders;
    private volatile bool _conversationRetention;

    /// <summary>True when no rule can hide or change an entry: reads skip every check.</summary>
    public bool IsEmpty => DefaultMaxAgeMs == 0 && _noRules;

    /// <summary>True when some conversation's messages may expire: a default retention, or one of a conversation's own.</summary>
    public bool HasRetention => DefaultMaxAgeMs != 0 || _conversationRetention;

    /// <summary>True when some sender is erased.</summary>
    public bool HasErasedSenders => _erasedSenders;

    /// <summary>True when a sender erasure waits for a compaction to remove the bodies it covers.</summary>
    public bool HasPendingErasure => _senders.Values.Any(static rule => !rule.Applied);

    /// <summary>Every rule in force.</summary>
    public IEnumerable<LifecycleRule> All => _conversations.Values.Concat(_users.Values).Concat(_senders.Values).Concat(_retention.Values);

    /// <summary>The rules a compaction works on: deletes and erasures not yet applied, and every retention.</summary>
    public IEnumerable<LifecycleRule> Pending => All.Where(static rule => !rule.Applied);

    /// <summary>The largest SeqId of a conversation's deleted history, 0 when none is deleted.</summary>
    public long DeletedThrough(string convId) => _conversations.TryGetValue(convId, out LifecycleRule? rule) ? rule.Value : 0;

    /// <summary>The largest SeqId of a user's deleted timeline, 0 when none is deleted.</summary>
    public long UserDeletedThrough(string userId) => _users.TryGetValue(userId, out LifecycleRule? rule) ? rule.Value : 0;

    /// <summary>The largest SeqId of a sender's erased messages, 0 when the sender is not erased.</summary>
    public long ErasedThrough(uint senderId) => _senders.TryGetValue(senderId, out LifecycleRule? rule) ? rule.Value : 0;

    /// <summary>The conversation's retention in milliseconds: its own setting, else the default; 0 for none.</summary>
    public long MaxAgeMs(string convId) => _retention.TryGetValue(convId, out LifecycleRule? rule) ? rule.Value : DefaultMaxAgeMs;

    /// <summary>Entries of the conversation created before this (Unix milliseconds) have expired at <paramref name="nowMs"/>; long.MinValue when none expire.</summary>
    public long ExpiredBefore(string convId, long nowMs)
    {
        long maxAge = MaxAgeMs(convId);
        return maxAge == 0 ? long.MinValue : nowMs - maxAge;
    }

    /// <summary>The smallest retention any conversation may have, 0 when no conversation expires.</summary>
    public long ShortestMaxAgeMs()
    {
        long shortest = DefaultMaxAgeMs;
        foreach (LifecycleRule rule in _retention.Values)
        {
            shortest = shortest == 0 ? rule.Value : Math.Min(shortest, rule.Value);
        }

        return shortest;
    }

    /// <summary>
    /// Applies a rule read from the journal or just journaled: deletes and erasures cover the most SeqIds any of them named, a
    /// retention setting replaces the one before (0 removes it). Returns the rule in force for the subject, or null.
    /// </summary>
    public LifecycleRule? Add(LifecycleRule rule)
    {
        LifecycleRule? inForce = AddRule(rule);
        Changed();
        return inForce;
    }

    /// <summary>Removes a delete or erasure a compaction applied, unless a newer one for the same subject replaced it meanwhile.</summary>
    public void Remove(LifecycleRule rule)
    {
        _ = rule.Kind switch
        {
            RuleKind.ConversationDeleted => _conversations.TryRemove(KeyValuePair.Create(rule.Id, rule)),
            RuleKind.UserDeleted => _users.TryRemove(KeyValuePair.Create(rule.Id, rule)),
            RuleKind.SenderErased => _senders.TryRemove(KeyValuePair.Create(rule.SenderId, rule)),
            _ => false,
        };
        Changed();
    }

    private void Changed()
    {
        _erasedSenders = !_senders.IsEmpty;
        _conversationRetention = !_retention.IsEmpty;
        _noRules = _conversations.IsEmpty && _users.IsEmpty && _senders.IsEmpty && _retention.IsEmpty;
    }

    private LifecycleRule? AddRule(LifecycleRule rule)
    {
        if (rule.Kind == RuleKind.Retention)
        {
            if (rule.Value == 0)
            {
                _retention.TryRemove(rule.Id, out _);
                return null;
            }

            _retention[rule.Id] = rule;
            return rule;
        }

        return rule.Kind switch
        {
            RuleKind.ConversationDeleted => Widen(_conversations, rule.Id, rule),
            RuleKind.UserDeleted => Widen(_users, rule.Id, rule),
            _ => Widen(_senders, rule.SenderId, rule),
        };
    }

    private static LifecycleRule Widen<TKey>(ConcurrentDictionary<TKey, LifecycleRule> rules, TKey key, LifecycleRule rule)
        where TKey : notnull
    {
        if (rules.TryGetValue(key, out LifecycleRule? old) && old.Value > rule.Value)
        {
            return old;
        }

        rules[key] = rule;
        return rule;
    }
}
