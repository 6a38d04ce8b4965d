using BlockStore.Providers;

namespace BlockStore.Engine;

/// <summary>Verification: every sealed block in the index is read from storage and checked against its metadata; the journal against the timelines.</summary>
internal sealed partial class StoreEngine
{
    public async Task<VerificationReport> VerifyAsync(CancellationToken cancellationToken)
    {
        using ReaderGate.Scope reading = _readers.Enter();
        // Blocks are streamed from the index timeline by timeline; a block committed after the stores were listed may lie in a
        // store created since, so the stores are listed again before such a block is reported.
        Dictionary<long, StoreInfo> stores = await ListStoresAsync(cancellationToken).ConfigureAwait(false);
        long timelines = 0;
        await foreach (TimelineKey _ in _session.Timelines.LoadTimelinesAsync(cancellationToken).ConfigureAwait(false))
        {
            timelines++;
        }

        var problems = new List<VerificationProblem>();
        var extents = new List<(StoreIndex Location, TimelineKey Owner)>();
        var current = new List<SealedBlock>();
        TimelineKey owner = default;
        long blocks = 0;
        long bytes = 0;
        await foreach (BlockInfo info in _session.Timelines.LoadBlocksAsync(cancellationToken).ConfigureAwait(false))
        {
            var key = new TimelineKey(info.Kind, info.TimelineId);
            if (current.Count > 0 && key != owner)
            {
                bytes += await VerifyTimelineAsync(owner, current, stores, extents, problems, cancellationToken).ConfigureAwait(false);
                current.Clear();
            }

            owner = key;
            current.Add(SealedBlock.From(info));
            blocks++;
        }

        if (current.Count > 0)
        {
            bytes += await VerifyTimelineAsync(owner, current, stores, extents, problems, cancellationToken).ConfigureAwait(false);
        }

        extents.Sort(static (x, y) => x.Location.StoreId != y.Location.StoreId
            ? x.Location.StoreId.CompareTo(y.Location.StoreId)
            : x.Location.Offset.CompareTo(y.Location.Offset));
        for (int i = 1; i < extents.Count; i++)
        {
            StoreIndex previous = extents[i - 1].Location;
            StoreIndex location = extents[i].Location;
            if (previous.StoreId == location.StoreId && previous.Offset + previous.Size > location.Offset)
            {
                problems.Add(new VerificationProblem(
                    $"blocks of {extents[i - 1].Owner.Kind} '{extents[i - 1].Owner.Id}' and {extents[i].Owner.Kind} '{extents[i].Owner.Id}' overlap",
                    location.StoreId, location.Offset, extents[i].Owner.Kind, extents[i].Owner.Id));
            }
        }

        (long records, List<VerificationProblem> journalProblems) = await Enqueue(new VerifyJournalOp()).WaitAsync(cancellationToken).ConfigureAwait(false);
        problems.AddRange(journalProblems);
        return new VerificationReport(timelines, blocks, bytes, records, problems);
    }

    private async Task<Dictionary<long, StoreInfo>> ListStoresAsync(CancellationToken cancellationToken)
    {
        var stores = new Dictionary<long, StoreInfo>();
        foreach (StoreInfo store in await _session.Blocks.GetStoresAsync(cancellationToken).ConfigureAwait(false))
        {
            stores[store.StoreId] = store;
        }

        return stores;
    }

    /// <summary>Reads and checks each of <paramref name="sealedBlocks"/> of one timeline; returns the bytes read.</summary>
    private Task<long> VerifyTimelineAsync(
        TimelineKey key, List<SealedBlock> sealedBlocks, Dictionary<long, StoreInfo> stores, List<(StoreIndex, TimelineKey)> extents, List<VerificationProblem> problems, CancellationToken cancellationToken) =>
        key.Kind == TimelineKind.Conversation
            ? VerifyTimelineAsync<ConvEntry>(key, sealedBlocks, stores, extents, problems, cancellationToken)
            : VerifyTimelineAsync<UserEntry>(key, sealedBlocks, stores, extents, problems, cancellationToken);

    private async Task<long> VerifyTimelineAsync<T>(
        TimelineKey key, List<SealedBlock> sealedBlocks, Dictionary<long, StoreInfo> stores, List<(StoreIndex, TimelineKey)> extents, List<VerificationProblem> problems, CancellationToken cancellationToken)
        where T : struct, ITimelineEntry<T>
    {
        long previousLast = 0;
        long bytes = 0;
        foreach (SealedBlock block in sealedBlocks)
        {
            StoreIndex at = block.Location;
            VerificationProblem Problem(string what) => new(what, at.StoreId, at.Offset, key.Kind, key.Id);
            if (block.FirstSeqId <= previousLast || block.LastSeqId < block.FirstSeqId)
            {
                problems.Add(Problem($"block SeqIds {block.FirstSeqId}..{block.LastSeqId} are out of order after {previousLast}"));
            }

            previousLast = block.LastSeqId;
            if (!Inside(stores, at))
            {
                foreach (KeyValuePair<long, StoreInfo> store in await ListStoresAsync(cancellationToken).ConfigureAwait(false))
                {
                    stores[store.Key] = store.Value;
                }

                if (!Inside(stores, at))
                {
                    problems.Add(Problem("the StoreIndex points outside its store"));
                    continue;
                }
            }

            extents.Add((at, key));
            try
            {
                var data = new byte[at.Size];
                await _session.Blocks.ReadBlockAsync(at, data, cancellationToken).ConfigureAwait(false);
                bytes += data.Length;
                T[] entries = T.Decode(data, key.Id, at);
                if (entries.Length != block.Count || entries[0].SeqId != block.FirstSeqId || entries[^1].SeqId != block.LastSeqId)
                {
                    problems.Add(Problem("the block does not match its metadata"));
                }
                else if (entries is UserEntry[] references)
                {
                    await VerifyReferencesAsync(references, key, problems, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (BlockStoreException ex)
            {
                problems.Add(Problem(ex.Message));
            }
        }

        return bytes;
    }

    private static bool Inside(Dictionary<long, StoreInfo> stores, StoreIndex at) =>
        stores.TryGetValue(at.StoreId, out StoreInfo? store) && at.Offset >= 0 && at.Offset + at.Size <= store.Capacity;

    /// <summary>Resolves a user block's references together (one lookup per conversation); only if one fails, each alone, to report every one that does.</summary>
    private async Task VerifyReferencesAsync(UserEntry[] references, TimelineKey user, List<VerificationProblem> problems, CancellationToken cancellationToken)
    {
        try
        {
            await ResolveAsync([.. references], cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (BlockStoreException)
        {
            // At least one reference is broken: the loop below names each.
        }

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
                        if (await FindForWriteAsync(_convs, message.ConvId).ConfigureAwait(false) is not { } conv || conv.LastSeqId < message.SeqId)
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
