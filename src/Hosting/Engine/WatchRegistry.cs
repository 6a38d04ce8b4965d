using System.Collections.Concurrent;
using System.Threading.Channels;
using BlockStore.Providers;

namespace BlockStore.Engine;

/// <summary>
/// The watches of one engine, keyed by timeline (kind and id) and independent of the timelines themselves, so a watch
/// never keeps a timeline in memory. The writer reads it without locks; adding and removing a watch take a lock.
/// </summary>
internal sealed class WatchRegistry(int bufferSize)
{
    private readonly ConcurrentDictionary<TimelineKey, Watch[]> _watches = new();
    private readonly BoundedChannelOptions _bufferOptions = new(bufferSize)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
        SingleWriter = true,
        AllowSynchronousContinuations = false,
    };

    private readonly Lock _lock = new();
    private int _count;
    private bool _closed;

    /// <summary>How many watches are registered.</summary>
    public int Count => Volatile.Read(ref _count);

    public bool IsClosed => Volatile.Read(ref _closed);

    /// <summary>Registers a watch on <paramref name="key"/>; from now on every published message of that timeline is offered to it.</summary>
    public Watch Add(TimelineKey key)
    {
        var watch = new Watch(key, _bufferOptions);
        lock (_lock)
        {
            if (_closed)
            {
                throw new ObjectDisposedException(nameof(MessageStore), "The message store is closed.");
            }

            _watches[key] = _watches.TryGetValue(key, out Watch[]? existing) ? [.. existing, watch] : [watch];
            Volatile.Write(ref _count, _count + 1);
        }

        return watch;
    }

    public void Remove(Watch watch)
    {
        lock (_lock)
        {
            if (!_watches.TryGetValue(watch.Key, out Watch[]? existing))
            {
                return;
            }

            int index = Array.IndexOf(existing, watch);
            if (index < 0)
            {
                return;
            }

            if (existing.Length == 1)
            {
                _watches.TryRemove(watch.Key, out _);
            }
            else
            {
                var rest = new Watch[existing.Length - 1];
                existing.AsSpan(0, index).CopyTo(rest);
                existing.AsSpan(index + 1).CopyTo(rest.AsSpan(index));
                _watches[watch.Key] = rest;
            }

            Volatile.Write(ref _count, _count - 1);
        }
    }

    /// <summary>Offers a message just published to the watches of its conversation and of each recipient (writer only, in SeqId order).</summary>
    public void Publish(Message message, string[] userIds)
    {
        if (Volatile.Read(ref _count) == 0)
        {
            return;
        }

        Offer(new TimelineKey(TimelineKind.Conversation, message.ConvId), message);
        foreach (string userId in userIds)
        {
            Offer(new TimelineKey(TimelineKind.User, userId), message);
        }
    }

    /// <summary>Refuses new watches and ends every registered one.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            foreach (Watch[] watches in _watches.Values)
            {
                foreach (Watch watch in watches)
                {
                    watch.Close();
                }
            }
        }
    }

    private void Offer(TimelineKey key, Message message)
    {
        if (_watches.TryGetValue(key, out Watch[]? watches))
        {
            foreach (Watch watch in watches)
            {
                watch.Offer(message);
            }
        }
    }
}
