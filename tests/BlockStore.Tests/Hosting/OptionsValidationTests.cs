using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace BlockStore.Tests.Hosting;

public sealed class OptionsValidationTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        Assert.True(Validate(new BlockStoreOptions()).Succeeded);
    }

    [Theory]
    [InlineData(nameof(BlockStoreOptions.TimelineMaxSize), "BlockStore:TimelineMaxSize must be between 1 and 65536")]
    [InlineData(nameof(BlockStoreOptions.MaxCapacity), "BlockStore:MaxCapacity must be between 1024 and 1099511627776")]
    [InlineData(nameof(BlockStoreOptions.MaxBlockBytes), "BlockStore:MaxBlockBytes must be between 1024 and 1073741824")]
    [InlineData(nameof(BlockStoreOptions.MaxMessageBytes), "BlockStore:MaxMessageBytes must be between 1 and 67108864")]
    [InlineData(nameof(BlockStoreOptions.CacheSizeBytes), "BlockStore:CacheSizeBytes must be between 0 and")]
    [InlineData(nameof(BlockStoreOptions.TimelineCacheBytes), "BlockStore:TimelineCacheBytes must be between 1 and")]
    [InlineData(nameof(BlockStoreOptions.JournalMaxBytes), "BlockStore:JournalMaxBytes must be between 4096 and")]
    [InlineData(nameof(BlockStoreOptions.OpenBlocksMaxBytes), "BlockStore:OpenBlocksMaxBytes must be between 4096 and")]
    [InlineData(nameof(BlockStoreOptions.MaxGroupCommit), "BlockStore:MaxGroupCommit must be between 1 and 1000000")]
    [InlineData(nameof(BlockStoreOptions.IdempotencyMaxKeys), "BlockStore:IdempotencyMaxKeys must be between 1 and 10000000")]
    [InlineData(nameof(BlockStoreOptions.MaxRecipients), "BlockStore:MaxRecipients must be between 1 and 1000000")]
    [InlineData(nameof(BlockStoreOptions.CompressionLevel), "BlockStore:CompressionLevel must be between 1 and 19")]
    public void Out_of_range_values_name_the_key_and_the_range(string key, string expected)
    {
        var options = new BlockStoreOptions();
        typeof(BlockStoreOptions).GetProperty(key)!.SetValue(options, Convert.ChangeType(-1, typeof(BlockStoreOptions).GetProperty(key)!.PropertyType, null));

        ValidateOptionsResult result = Validate(options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(367.0)]
    public void An_idempotency_window_outside_its_range_is_refused(double days)
    {
        ValidateOptionsResult result = Validate(new BlockStoreOptions { IdempotencyWindow = TimeSpan.FromDays(days) });

        Assert.Contains(result.Failures!, f => f.StartsWith("BlockStore:IdempotencyWindow must be positive", StringComparison.Ordinal));
    }

    [Fact]
    public void Empty_DataDir_and_bad_enum_and_age_are_refused()
    {
        ValidateOptionsResult result = Validate(new BlockStoreOptions { DataDir = " ", Durability = (Durability)7, Compression = (BlockCompression)9, OpenBlockMaxAge = TimeSpan.Zero });

        Assert.Contains(result.Failures!, f => f.Contains("BlockStore:DataDir", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("BlockStore:Durability", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("BlockStore:Compression must be None or Zstd", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("BlockStore:OpenBlockMaxAge", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(25 * 60 * 60)]
    public void A_lock_wait_out_of_range_is_refused_naming_the_key(int seconds)
    {
        ValidateOptionsResult result = Validate(new BlockStoreOptions { LockWaitTimeout = TimeSpan.FromSeconds(seconds) });

        string failure = Assert.Single(result.Failures!);
        Assert.StartsWith("BlockStore:LockWaitTimeout must be between 00:00:00 and 1.00:00:00", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Retention_and_compaction_bind_from_their_sections_and_out_of_range_values_name_their_keys()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BlockStore:Retention:MaxAge"] = "30.00:00:00",
            ["BlockStore:Compaction:Interval"] = "00:05:00",
            ["BlockStore:Compaction:BytesPerSecond"] = "1048576",
        }).Build();
        var bound = new BlockStoreOptions();
        configuration.GetSection(BlockStoreOptions.SectionName).Bind(bound);

        ValidateOptionsResult result = Validate(new BlockStoreOptions
        {
            Retention = { MaxAge = TimeSpan.Zero },
            Compaction = { Interval = TimeSpan.FromMilliseconds(10), BytesPerSecond = 0 },
        });

        Assert.Equal((TimeSpan.FromDays(30), TimeSpan.FromMinutes(5), 1_048_576L), (bound.Retention.MaxAge, bound.Compaction.Interval, bound.Compaction.BytesPerSecond));
        Assert.True(Validate(bound).Succeeded);
        Assert.Contains(result.Failures!, f => f.StartsWith("BlockStore:Retention:MaxAge must be at least 1 millisecond", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("BlockStore:Compaction:Interval must be between 1 second", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("BlockStore:Compaction:BytesPerSecond must be between 65536", StringComparison.Ordinal));
        Assert.Equal(3, result.Failures!.Count());
    }

    [Fact]
    public void A_10000_byte_capacity_with_the_default_message_size_is_refused_naming_both_keys()
    {
        ValidateOptionsResult result = Validate(new BlockStoreOptions { MaxCapacity = 10000 });

        string failure = Assert.Single(result.Failures!);
        Assert.Contains("BlockStore:MaxMessageBytes", failure, StringComparison.Ordinal);
        Assert.Contains("BlockStore:MaxCapacity", failure, StringComparison.Ordinal);
        Assert.True(Validate(new BlockStoreOptions { MaxCapacity = 10000, MaxMessageBytes = 4000 }).Succeeded);
    }

    [Fact]
    public async Task Opening_without_DI_validates_too()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => MessageStore.OpenAsync(new BlockStoreOptions { TimelineMaxSize = 0 }));

        Assert.Contains("BlockStore:TimelineMaxSize", error.Message, StringComparison.Ordinal);
    }

    private static ValidateOptionsResult Validate(BlockStoreOptions options) => new BlockStoreOptionsValidator().Validate(null, options);
}
