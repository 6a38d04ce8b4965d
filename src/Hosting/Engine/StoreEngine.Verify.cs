namespace BlockStore.Engine;

/// <summary>Verification: every sealed block is read from storage and checked against its metadata; the journal against the timelines.</summary>
internal sealed partial class StoreEngine
{
    public async Task<VerificationReport> VerifyAsync(CancellationToken cancellationToken)
    {
        // Capture the timelines' sealed blocks first and the stores second, so every captured block is inside the stores seen.
        var timelines = new List<(TimelineBase Timeline, SealedBlock[] Blocks)>(_convs.Count + _users.Count);
        foreach (Timeline<ConvEntry> conv in _convs.Values)
        {
            timelines.Add((conv, conv.Sealed.Snapshot(conv.State.SealedCount).ToArray()));
        }

        foreach (Timeline<UserEntry> user in _users.Values)
        {
            timelines.Add((user, user.Sealed.Snapshot(user.State.SealedCount).ToArray()));
        }

        var stores = new Dictionary<long, StoreInfo>();
        foreach (StoreInfo store in await _session.Blocks.GetStoresAsync(cancellationToken).ConfigureAwait(false))
        {
            stores[store.StoreId] = store;
        }

        var problems = new List<VerificationProblem>();
        var extents = new List<(StoreIndex Location, TimelineBase Owner)>();
        long blocks = 0;
        long bytes = 0;
        foreach ((TimelineBase timeline, SealedBlock[] sealedBlocks) in timelines)
        {
            bytes += timeline is Timeline<ConvEntry> conv
                ? await VerifyTimelineAsync(conv, sealedBlocks, stores, extents, problems, cancellationToken).ConfigureAwait(false)
                : await VerifyTimelineAsync((Timeline<UserEntry>)timeline, sealedBlocks, stores, extents, problems, cancellationToken).ConfigureAwait(false);
            blocks += sealedBlocks.Length;
        }

        extents.Sort(static (x, y) => x.Location.StoreId != y.Location.StoreId
            ? x.Location.StoreId.CompareTo(y.Location.StoreId)
            : x.Location.Offset.CompareTo(y.Location.Offset));
        for (int i = 1; i < extents.Count; i++)
        {
            StoreIndex previous = extents[i - 1].Location;
            StoreIndex current = extents[i].Location;
            if (previous.StoreId == current.StoreId && previous.Offset + previous.Size > current.Offset)
            {
                problems.Add(new VerificationProblem(
                    $"blocks of {extents[i - 1].Owner.Kind} '{extents[i - 1].Owner.Id}' and {extents[i].Owner.Kind} '{extents[i].Owner.Id}' overlap",
                    current.StoreId, current.Offset, extents[i].Owner.Kind, extents[i].Owner.Id));
            }
        }

        (long records, List<VerificationProblem> journalProblems) = await Enqueue(new VerifyJournalOp()).WaitAsync(cancellationToken).ConfigureAwait(false);
        problems.AddRange(journalProblems);
        return new VerificationReport(timelines.Count, blocks, bytes, records, problems);
    }

    /// <summary>Reads and checks each of <paramref name="sealedBlocks"/>; returns the bytes read.</summary>
    private async Task<long> VerifyTimelineAsync<T>(
        Timeline<T> timeline, SealedBlock[] sealedBlocks, Dictionary<long, StoreInfo> stores, List<(StoreIndex, TimelineBase)> extents, List<VerificationProblem> problems, CancellationToken cancellationToken)
        where T : struct, ITimelineEntry<T>
    {
        long previousLast = 0;
        long bytes = 0;
        foreach (SealedBlock block in sealedBlocks)
        {
            StoreIndex at = block.Location;
            VerificationProblem Problem(string what) => new(what, at.StoreId, at.Offset, timeline.Kind, timeline.Id);
            if (block.FirstSeqId <= previousLast || block.LastSeqId < block.FirstSeqId)
            {
                problems.Add(Problem($"block SeqIds {block.FirstSeqId}..{block.LastSeqId} are out of order after {previousLast}"));
            }

            previousLast = block.LastSeqId;
            if (!stores.TryGetValue(at.StoreId, out StoreInfo? store) || at.Offset < 0 || at.Offset + at.Size > store.UsedBytes)
            {
                problems.Add(Problem("the StoreIndex points outside the stores' used space"));
                continue;
            }

            extents.Add((at, timeline));
            try
            {
                var data = new byte[at.Size];
                await _session.Blocks.ReadBlockAsync(at, data, cancellationToken).ConfigureAwait(false);
                bytes += data.Length;
                T[] entries = T.Decode(data, timeline.Id, at);
                if (entries.Length != block.Count || entries[0].SeqId != block.FirstSeqId || entries[^1].SeqId != block.LastSeqId)
                {
                    problems.Add(Problem("the block does not match its metadata"));
                }
                else if (entries is UserEntry[] references)
                {
                    await VerifyReferencesAsync(references, timeline, problems, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (BlockStoreException ex)
            {
                problems.Add(Problem(ex.Message));
            }
        }

        return bytes;
    }

    private async Task VerifyReferencesAsync(UserEntry[] references, TimelineBase user, List<VerificationProblem> problems, CancellationToken cancellationToken)
    {
        foreach (UserEntry reference in references)
        {
            try
            {
                await ResolveAsync(reference, cancellationToken).ConfigureAwait(false);
            }
            catch (BlockStoreException ex)
            {
                problems.Add(new VerificationProblem(ex.Message, Kind: user.Kind, TimelineId: user.Id));
            }
        }
    }

    /// <summary>Runs in the writer loop: every journal record decodes and each of its messages is in its conversation.</summary>
    private async Task VerifyJournalAsync(VerifyJournalOp op)
    {
        var problems = new List<VerificationProblem>();
        long records = 0;
        long previous = 0;
        try
        {
            await foreach (Providers.JournalRecord record in _session.Timelines.ReadJournalAsync().ConfigureAwait(false))
            {
                records++;
                if (record.Id <= previous)
                {
                    problems.Add(new VerificationProblem($"journal record {record.Id} follows record {previous}"));
                }

                previous = record.Id;
                try
                {
                    foreach (PendingMessage message in JournalCodec.Decode(record.Id, record.Payload))
                    {
                        if (!_convs.TryGetValue(message.ConvId, out Timeline<ConvEntry>? conv) || conv.LastSeqId < message.SeqId)
                        {
                            problems.Add(new VerificationProblem(
                                $"journal record {record.Id} holds message {message.SeqId} that its conversation does not",
                                Kind: TimelineKind.Conversation, TimelineId: message.ConvId));
                        }
                    }
                }
                catch (BlockStoreException ex)
                {
                    problems.Add(new VerificationProblem(ex.Message));
                }
            }
        }
        catch (Exception ex) when (ex is BlockStoreException or IOException)
        {
            problems.Add(new VerificationProblem($"the journal could not be read: {ex.Message}"));
        }

        op.Complete((records, problems));
    }
}
