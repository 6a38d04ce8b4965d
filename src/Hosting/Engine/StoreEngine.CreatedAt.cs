namespace BlockStore.Engine;

/// <summary>
/// Caller-given CreatedAt (<see cref="NewMessage.CreatedAt"/>): accepted when it is not in the future and not before the newest
/// entry of any timeline the message joins, so CreatedAt never decreases along a timeline; the store's own clock never falls
/// below an accepted time.
/// </summary>
internal sealed partial class StoreEngine
{
    /// <summary>
    /// The newest CreatedAt batched in this commit per timeline (true = user timeline); built only once a given CreatedAt is older
    /// than the data set's newest, which is the one case where timelines must be compared one by one.
    /// </summary>
    private Dictionary<(bool User, string Id), long>? _turnTimes;

    /// <summary>Returns why <paramref name="message"/>'s requested CreatedAt is refused, or null when it is accepted.</summary>
    private ArgumentException? CheckCreatedAt(PendingMessage message, int index)
    {
        long requested = message.RequestedTimestamp;
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (requested > now)
        {
            return new ArgumentException(
                $"batch[{index}].CreatedAt {Format(requested)} is in the future (the store's clock reads {Format(now)}).", "batch");
        }

        if (requested >= _lastTimestamp)
        {
            return null;
        }

        if (_turnTimes is null)
        {
            _turnTimes = [];
            foreach (PendingMessage batched in _batch)
            {
                NoteTurnTime(batched);
            }
        }

        long newest = NewestTime(user: false, message.ConvId);
        string? timeline = newest > requested ? $"conversation '{message.ConvId}'" : null;
        foreach (string userId in message.UserIds)
        {
            if (timeline is null && (newest = NewestTime(user: true, userId)) > requested)
            {
                timeline = $"user '{userId}'";
            }
        }

        return timeline is null
            ? null
            : new ArgumentException(
                $"batch[{index}].CreatedAt {Format(requested)} is before the newest message of {timeline} ({Format(newest)}); CreatedAt must not go backwards along a timeline.",
                "batch");
    }

    /// <summary>Keeps the store's clock at or above an accepted CreatedAt, and returns it.</summary>
    private long AcceptCreatedAt(long requested)
    {
        _lastTimestamp = Math.Max(_lastTimestamp, requested);
        return requested;
    }

    /// <summary>Records a batched message's time against its timelines, while this commit compares timelines one by one.</summary>
    private void NoteTurnTime(PendingMessage message)
    {
        if (_turnTimes is null)
        {
            return;
        }

        _turnTimes[(false, message.ConvId)] = message.Timestamp;
        foreach (string userId in message.UserIds)
        {
            _turnTimes[(true, userId)] = message.Timestamp;
        }
    }

    /// <summary>The newest CreatedAt of a timeline, batched in this commit or stored.</summary>
    private long NewestTime(bool user, string id)
    {
        if (_turnTimes!.TryGetValue((user, id), out long batched))
        {
            return batched;
        }

        TimelineBase? timeline = user
            ? _users.GetValueOrDefault(id)
            : _convs.GetValueOrDefault(id);
        return timeline?.LastTimestamp ?? 0;
    }

    private static string Format(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
