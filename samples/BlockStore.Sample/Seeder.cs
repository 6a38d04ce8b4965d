using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace BlockStore.Sample;

/// <summary>Writes generated messages through <see cref="IMessageStore.AddMessagesAsync"/> in batches, one group commit each.</summary>
internal sealed class Seeder(IMessageStore store, IOptions<SampleOptions> options)
{
    public async Task<SeedResult> SeedAsync(IEnumerable<NewMessage> messages, long total, TextWriter output, CancellationToken cancellationToken)
    {
        int batchSize = options.Value.BatchSize;
        var progress = new SeedProgress(output, total);
        var batch = new List<NewMessage>(batchSize);
        var perConversation = new Dictionary<string, int>();
        var storeTime = new Stopwatch();
        long written = 0;
        long recipients = 0;
        DateTimeOffset first = default, middle = default, last = default;

        async Task WriteBatchAsync()
        {
            storeTime.Start();
            IReadOnlyList<Message> stored = await store.AddMessagesAsync(batch, cancellationToken);
            storeTime.Stop();
            long half = total / 2;
            if (written == 0)
            {
                first = stored[0].CreatedAt;
            }

            if (written <= half && half < written + stored.Count)
            {
                middle = stored[(int)(half - written)].CreatedAt;
            }

            last = stored[^1].CreatedAt;
            written += stored.Count;
            batch.Clear();
            progress.Report(written, storeTime.Elapsed);
        }

        foreach (NewMessage message in messages)
        {
            batch.Add(message);
            perConversation[message.ConvId] = perConversation.GetValueOrDefault(message.ConvId) + 1;
            recipients += message.UserIds.Count;
            if (batch.Count == batchSize)
            {
                await WriteBatchAsync();
            }
        }

        if (batch.Count > 0)
        {
            await WriteBatchAsync();
        }

        progress.Complete();
        return new SeedResult(written, perConversation, recipients, storeTime.Elapsed, first, middle, last);
    }
}
