using System.Collections.Concurrent;

namespace BlockStore.Tests.Contract;

/// <summary>
/// Online backup: a copy taken while writers keep writing opens as a data set (DataDir pointed at it) and holds every message
/// acknowledged before the backup began, in the conversations and in the recipients' timelines; a provider that keeps its data
/// sets in a database server refuses.
/// </summary>
public abstract partial class ContractTests
{
    [SkippableFact]
    public async Task A_backup_taken_while_writers_run_holds_every_message_acknowledged_before_it_began()
    {
        RequireDataDir();
        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 8);
        var acknowledged = new ConcurrentQueue<Message>();
        using var stop = new CancellationTokenSource();
        Task[] writers = [.. Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                acknowledged.Enqueue(await store.AddMessageAsync($"conv-{w}-{i % 5}", (uint)w, Bytes($"w{w}-{i}"), Users($"user-{i % 3}", "all")));
            }
        }))];
        while (acknowledged.Count < 200)
        {
            await Task.Delay(1);
        }

        Message[] before = [.. acknowledged];
        string backup = Path.Combine(Root, "backup");
        await store.BackupAsync(backup);
        stop.Cancel();
        await Task.WhenAll(writers);

        MessageStore copy = await OpenAsync(o => o.DataDir = backup);
        Assert.True((await copy.VerifyAsync()).IsHealthy);
        foreach (IGrouping<string, Message> conv in before.GroupBy(m => m.ConvId))
        {
            var stored = (await copy.GetConvMessagesAsync(conv.Key, 10_000)).ToDictionary(m => m.SeqId);
            foreach (Message message in conv)
            {
                AssertSameMessages([message], [stored[message.SeqId]]);
            }
        }

        HashSet<long> inAll = [.. (await copy.GetUserMessagesAsync("all", 0, 100_000)).Select(m => m.SeqId)];
        Assert.Superset(before.Select(m => m.SeqId).ToHashSet(), inAll);
    }

    [SkippableFact]
    public async Task A_backup_holds_checkpoints_and_the_copy_accepts_new_writes()
    {
        RequireDataDir();
        MessageStore store = await OpenAsync();
        List<Message> messages = await AddManyAsync(store, "c", 30, Users("u"));
        await store.UpdateUserCheckpointAsync("u", messages[9].SeqId);
        string backup = Path.Combine(Root, "backup");

        await store.BackupAsync(backup);

        MessageStore copy = await OpenAsync(o => o.DataDir = backup);
        Assert.Equal(messages[9].SeqId, await copy.GetUserCheckpointAsync("u"));
        AssertSameMessages(messages[10..], await copy.GetMessagesAfterCheckpointAsync("u"));
        Message next = await copy.AddMessageAsync("c", 1, Bytes("after"), Users("u"));
        Assert.True(next.SeqId > messages[^1].SeqId);
    }

    [SkippableFact]
    public async Task A_backup_into_a_directory_that_is_not_empty_or_inside_the_data_set_is_refused()
    {
        RequireDataDir();
        MessageStore store = await OpenAsync();
        await store.AddMessageAsync("c", 1, Bytes("x"), []);
        string occupied = Path.Combine(Root, "occupied");
        Directory.CreateDirectory(occupied);
        await File.WriteAllTextAsync(Path.Combine(occupied, "keep.txt"), "mine");

        var notEmpty = await Assert.ThrowsAsync<ArgumentException>(() => store.BackupAsync(occupied));
        var inside = await Assert.ThrowsAsync<ArgumentException>(() => store.BackupAsync(Path.Combine(DataDir, "copy")));
        var blank = await Assert.ThrowsAsync<ArgumentException>(() => store.BackupAsync(" "));

        Assert.Equal("destination", notEmpty.ParamName);
        Assert.Equal("destination", inside.ParamName);
        Assert.Equal("destination", blank.ParamName);
        Assert.Equal(["keep.txt"], Directory.GetFileSystemEntries(occupied).Select(Path.GetFileName));
        Assert.False(Directory.Exists(Path.Combine(DataDir, "copy")));
    }

    [SkippableFact]
    public async Task A_provider_that_keeps_data_sets_in_a_database_server_refuses_a_backup()
    {
        Skip.If(Fixture.UsesDataDir, $"the {Fixture.Name} provider backs up its DataDir");
        MessageStore store = await OpenAsync();
        await store.AddMessageAsync("c", 1, Bytes("x"), []);

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => store.BackupAsync(Path.Combine(Root, "backup")));

        Assert.Contains("pg_dump", error.Message);
        Assert.False(Directory.Exists(Path.Combine(Root, "backup")));
    }
}
