using Microsoft.Extensions.Logging;

namespace BlockStore.Tests.Contract;

/// <summary>One DataDir holds one data set of one provider, and it is private to the account that owns it.</summary>
public abstract partial class ContractTests
{
    private const string FormatFileName = "blockstore.format";

    [SkippableFact]
    public async Task A_data_set_is_refused_by_another_provider_naming_both()
    {
        RequireDataDir();
        MessageStore store = await OpenAsync();
        await store.AddMessageAsync("c", 1, Bytes("x"), []);
        await store.DisposeAsync();
        IProviderFixture other = KnownProviders.OtherThan(Fixture);

        var error = await Assert.ThrowsAsync<BlockStoreException>(() => MessageStore.OpenAsync(CreateOptions(), other.CreateProvider()));

        Assert.Contains($"'{Fixture.Name}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{other.Name}'", error.Message, StringComparison.Ordinal);
        MessageStore again = await OpenAsync();
        Assert.Single(await again.GetConvMessagesAsync("c", 10));
    }

    [SkippableFact]
    public async Task A_data_set_from_before_the_format_marker_is_recognised_by_its_files()
    {
        RequireDataDir();
        MessageStore store = await OpenAsync();
        await store.AddMessageAsync("c", 1, Bytes("x"), []);
        await store.DisposeAsync();
        File.Delete(Path.Combine(DataDir, FormatFileName));
        IProviderFixture other = KnownProviders.OtherThan(Fixture);

        var error = await Assert.ThrowsAsync<BlockStoreException>(() => MessageStore.OpenAsync(CreateOptions(), other.CreateProvider()));

        Assert.Contains($"'{Fixture.Name}'", error.Message, StringComparison.Ordinal);
        MessageStore again = await OpenAsync();
        Assert.Single(await again.GetConvMessagesAsync("c", 10));
        Assert.Contains(Fixture.Name, await File.ReadAllTextAsync(Path.Combine(DataDir, FormatFileName)), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_new_data_set_is_private_to_its_owner()
    {
        RequireDataDir();
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        MessageStore store = await OpenAsync(o => o.TimelineMaxSize = 2);
        List<Message> sent = await AddManyAsync(store, "c", 5, Users("u"));
        await store.UpdateUserCheckpointAsync("u", sent[1].SeqId);
        await store.FlushAsync();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(DataDir));
        string[] entries = Directory.GetFileSystemEntries(DataDir, "*", SearchOption.AllDirectories);
        Assert.NotEmpty(entries);
        foreach (string entry in entries)
        {
            UnixFileMode expected = Directory.Exists(entry)
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                : UnixFileMode.UserRead | UnixFileMode.UserWrite;
            Assert.True(File.GetUnixFileMode(entry) == expected, $"{entry} is {File.GetUnixFileMode(entry)}, not {expected}");
        }
    }

    [SkippableFact]
    public async Task An_existing_data_set_readable_by_others_is_reported_at_open()
    {
        RequireDataDir();
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        MessageStore store = await OpenAsync();
        await store.AddMessageAsync("c", 1, Bytes("x"), []);
        await store.DisposeAsync();
        File.SetUnixFileMode(DataDir, File.GetUnixFileMode(DataDir) | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var logs = new ListLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));

        await using MessageStore reopened = await MessageStore.OpenAsync(CreateOptions(), Fixture.CreateProvider(), loggerFactory);

        (int _, LogLevel _, string message) = Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains(DataDir, message, StringComparison.Ordinal);
        Assert.Single(await reopened.GetConvMessagesAsync("c", 10));
    }

    [SkippableFact]
    public async Task A_private_data_set_opens_without_a_warning()
    {
        MessageStore store = await OpenAsync();
        await store.AddMessageAsync("c", 1, Bytes("x"), []);
        await store.DisposeAsync();
        var logs = new ListLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));

        await using MessageStore reopened = await MessageStore.OpenAsync(CreateOptions(), Fixture.CreateProvider(), loggerFactory);

        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning);
    }
}
