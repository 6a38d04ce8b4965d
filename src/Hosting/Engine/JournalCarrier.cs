namespace BlockStore.Engine;

/// <summary>State kept in journal records that must outlive them: a remembered key, a message change, a lifecycle rule.</summary>
internal interface ICarriedState
{
    /// <summary>The id of the journal record holding this state, moved to the new record when a trim carries it.</summary>
    long JournalId { get; set; }
}

/// <summary>What one trim carried into a new journal record: the states, the record's id and the oldest record still holding any other.</summary>
/// <typeparam name="T">The kind of state.</typeparam>
/// <param name="States">The states written into the new record.</param>
/// <param name="RecordId">The new record's id.</param>
/// <param name="OldestKept">The oldest record id among the states not carried, <see cref="long.MaxValue"/> when none.</param>
internal sealed record Carried<T>(List<T> States, long RecordId, long OldestKept)
    where T : class, ICarriedState;

/// <summary>
/// Tracks the oldest journal record holding one kind of state and, before a seal or compaction drops journal records,
/// gathers the states they hold so they can be written into a new record (its id above the trim point). Writer only.
/// </summary>
/// <typeparam name="T">The kind of state.</typeparam>
/// <param name="encode">Encodes gathered states as a journal record.</param>
internal sealed class JournalCarrier<T>(Func<List<T>, byte[]> encode)
    where T : class, ICarriedState
{
    private long _oldest = long.MaxValue;

    /// <summary>Notes that a journal record with id <paramref name="journalId"/> holds state of this kind.</summary>
    public void Noted(long journalId) => _oldest = Math.Min(_oldest, journalId);

    /// <summary>
    /// Gathers the states of <paramref name="live"/> held by records below <paramref name="keepFrom"/>; returns null (and
    /// remembers the oldest record still holding one) when there are none.
    /// </summary>
    public (List<T> States, long OldestKept)? Gather(long keepFrom, Func<IEnumerable<T>> live)
    {
        if (keepFrom <= _oldest)
        {
            return null;
        }

        List<T>? carried = null;
        long oldestKept = long.MaxValue;
        foreach (T state in live())
        {
            if (state.JournalId < keepFrom)
            {
                (carried ??= []).Add(state);
            }
            else
            {
                oldestKept = Math.Min(oldestKept, state.JournalId);
            }
        }

        if (carried is null)
        {
            _oldest = oldestKept;
            return null;
        }

        return (carried, oldestKept);
    }

    /// <summary>Encodes gathered states as the body of their new journal record.</summary>
    public byte[] Encode(List<T> states) => encode(states);

    /// <summary>The seal that wrote <paramref name="carried"/> committed: its states now live in the new record.</summary>
    public void Committed(Carried<T>? carried)
    {
        if (carried is null)
        {
            return;
        }

        foreach (T state in carried.States)
        {
            state.JournalId = carried.RecordId;
        }

        _oldest = Math.Min(carried.OldestKept, carried.RecordId);
    }
}
