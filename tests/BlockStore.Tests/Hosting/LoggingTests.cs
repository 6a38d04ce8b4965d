using BlockStore.Providers.Sqlite;
using Microsoft.Extensions.Logging;

namespace BlockStore.Tests.Hosting;

/// <summary>The store logs its life-cycle events at Information with stable event ids, and nothing per message.</summary>
public sealed class LoggingTests : TempDirectory
{
    [Fact]
    public async Task Open_each_new_store_and_close_are_logged_once_each()
    {
        var logs = new ListLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));
        var options = new BlockStoreOptions { DataDir = Dir, MaxCapacity = 16 * 1024, MaxMessageBytes = 1024, TimelineMaxSize = 4, Compression = BlockCompression.None };
        await using (MessageStore store = await MessageStore.OpenAsync(options, new SqliteBlockStoreProvider(new()), loggerFactory))
        {
            for (int i = 0; i < 40; i++)
            {
                await store.AddMessageAsync("c", 1, new byte[1000], []);
            }

            await store.FlushAsync();
        }

        Assert.Single(logs.Entries, e => e.EventId == 1 && e.Level == LogLevel.Information);
        List<string> rolls = [.. logs.Entries.Where(static e => e.EventId == 9 && e.Level == LogLevel.Information).Select(static e => e.Message)];
        Assert.Contains(rolls, m => m.StartsWith("Rolled to new store 2 ", StringComparison.Ordinal));
        Assert.Contains(rolls, m => m.StartsWith("Rolled to new store 3 ", StringComparison.Ordinal));
        Assert.Equal(rolls.Count, rolls.Distinct().Count());
        Assert.Single(logs.Entries, e => e.EventId == 7);
        Assert.True(logs.Entries.Count(e => e.Level >= LogLevel.Information) < 40);
    }

    [Fact]
    public async Task Opened_names_provider_and_durability_and_the_first_store_is_not_a_roll()
    {
        var logs = new ListLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));
        var options = new BlockStoreOptions { DataDir = Dir, Durability = Durability.Normal, TimelineMaxSize = 4 };
        await using (MessageStore store = await MessageStore.OpenAsync(options, new SqliteBlockStoreProvider(new()), loggerFactory))
        {
            await store.AddMessagesAsync([.. Enumerable.Range(0, 4).Select(_ => new NewMessage("c", 1, new byte[10], []))]);
            await store.FlushAsync();
        }

        string opened = Assert.Single(logs.Entries, e => e.EventId == 1).Message;
        Assert.Contains("Sqlite provider", opened, StringComparison.Ordinal);
        Assert.Contains("Normal durability", opened, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Entries, e => e.Message.StartsWith("Rolled to new store 1 ", StringComparison.Ordinal));
        Assert.Single(logs.Entries, e => e.EventId == 12 && e.Message.StartsWith("Created the first store 1 ", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_log_event_has_an_id_of_its_own()
    {
        List<int> ids = [.. typeof(BlockStore.Diagnostics.Log).GetMethods()
            .Select(static m => m.GetCustomAttributes(typeof(LoggerMessageAttribute), false).Cast<LoggerMessageAttribute>().SingleOrDefault())
            .Where(static a => a is not null)
            .Select(static a => a!.EventId)];

        Assert.NotEmpty(ids);
        Assert.Empty(ids.GroupBy(static id => id).Where(static g => g.Count() > 1).Select(static g => g.Key));
    }
}
