using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using BlockStore.Providers;

namespace BlockStore.Engine;

/// <summary>
/// Watches: a registered buffer of live messages, read after a catch-up from storage. The watch registers before it
/// reads storage, so every message is either in what storage returns or offered to the buffer afterwards (or both: the
/// repeats are skipped by SeqId). When the buffer overflowed, the watch reads storage again from its last delivered SeqId.
/// </summary>
internal sealed partial class StoreEngine
{
    /// <summary>How many messages one catch-up read returns.</summary>
    private const int WatchPageSize = 256;

    private readonly WatchRegistry _watches;

    /// <summary>The live watches of this engine.</summary>
    public WatchRegistry Watches => _watches;

    /// <summary>Yields every message of the timeline with SeqId above <paramref name="afterSeqId"/>: first from storage, then live.</summary>
    public async IAsyncEnumerable<Message> WatchAsync(TimelineKey key, long afterSeqId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Watch watch = _watches.Add(key);
        try
        {
            long last = afterSeqId;
            long expected = 0;
            bool catchUp = true;
            while (true)
            {
                if (catchUp)
                {
                    catchUp = false;
                    while (true)
                    {
                        IReadOnlyList<Message> page = await ReadWatchedAsync(key, last, cancellationToken).ConfigureAwait(false);
                        foreach (Message message in page)
                        {
                            last = message.SeqId;
                            yield return message;
                        }

                        if (page.Count < WatchPageSize)
                        {
                            break;
                        }
                    }
                }

                while (watch.Reader.TryRead(out Watch.Live live))
                {
                    if (live.Number != expected)
                    {
                        // The buffer dropped what came between: storage has it, and everything up to this message.
                        catchUp = true;
                    }

                    expected = live.Number + 1;
                    if (catchUp)
                    {
                        break;
                    }

                    if (live.Message.SeqId > last)
                    {
                        last = live.Message.SeqId;
                        yield return Current(live.Message);
                    }
                }

                if (catchUp)
                {
                    continue;
                }

                if (!await watch.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw Closed(null);
                }
            }
        }
        finally
        {
            _watches.Remove(watch);
        }
    }

    /// <summary>Returns the oldest <paramref name="limit"/> messages of a conversation with SeqId above <paramref name="afterSeqId"/>.</summary>
    public async ValueTask<IReadOnlyList<Message>> GetConvMessagesAfterAsync(string convId, long afterSeqId, int limit, CancellationToken cancellationToken)
    {
        using ReaderGate.Scope reading = _readers.Enter();
        if (await FindAsync(_convs, convId, cancellationToken).ConfigureAwait(false) is not { } timeline)
        {
            return [];
        }

        TimelineState<ConvEntry> state = timeline.State;
        ConvView view = ViewOf(convId);
        var result = new List<Message>(Math.Min(limit, 1024));
        await foreach (ConvEntry[] entries in SealedBlocksAfterAsync(timeline, state, afterSeqId, cancellationToken).ConfigureAwait(false))
        {
            TakeOldest(entries, afterSeqId, limit, result, view);
            if (result.Count >= limit)
            {
                return result;
            }
        }

        foreach (MemBlock<ConvEntry> frozen in state.Frozen)
        {
            TakeOldest(frozen.Snapshot(), afterSeqId, limit, result, view);
        }

        if (state.Open is { } open)
        {
            TakeOldest(open.Snapshot(), afterSeqId, limit, result, view);
        }

        return result;
    }

    private static void TakeOldest(ReadOnlySpan<ConvEntry> entries, long afterSeqId, int limit, List<Message> oldestFirst, in ConvView view)
    {
        for (int i = 0; i < entries.Length && oldestFirst.Count < limit; i++)
        {
            if (entries[i].SeqId > afterSeqId && !view.Hidden(entries[i]))
            {
                oldestFirst.Add(view.Current(entries[i].Message));
            }
        }
    }

    private static ObjectDisposedException Closed(Exception? inner) => new("The message store closed; the watch ended.", inner);

    /// <summary>Reads a catch-up page; once the store is closing, ends the watch with <see cref="ObjectDisposedException"/> instead.</summary>
    private async ValueTask<IReadOnlyList<Message>> ReadWatchedAsync(TimelineKey key, long afterSeqId, CancellationToken cancellationToken)
    {
        IReadOnlyList<Message> page;
        try
        {
            page = key.Kind == TimelineKind.Conversation
                ? await GetConvMessagesAfterAsync(key.Id, afterSeqId, WatchPageSize, cancellationToken).ConfigureAwait(false)
                : await GetUserMessagesAsync(key.Id, afterSeqId, WatchPageSize, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (_watches.IsClosed && ex is not OperationCanceledException)
        {
            throw Closed(ex);
        }

        if (_watches.IsClosed)
        {
            throw Closed(null);
        }

        return page;
    }
}
