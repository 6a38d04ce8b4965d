using BlockStore.Engine;
using BlockStore.Providers;
using Microsoft.Extensions.Options;

namespace BlockStore;

/// <summary>Validates <see cref="BlockStoreOptions"/> once at start-up; every failure names its configuration key and allowed range.</summary>
internal sealed class BlockStoreOptionsValidator : IValidateOptions<BlockStoreOptions>
{
    private const string Prefix = BlockStoreOptions.SectionName + ":";
    /// <summary>The longest <see cref="BlockStoreOptions.DataSet"/> name accepted.</summary>
    private const int MaxDataSetLength = 256;

    private static readonly TimeSpan MaxLockWait = TimeSpan.FromDays(1);

    /// <summary>The largest <see cref="BlockStoreOptions.MaxRecipients"/> accepted.</summary>
    private const int MaxRecipientsLimit = 1_000_000;

    public ValidateOptionsResult Validate(string? name, BlockStoreOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            failures.Add($"{Prefix}{nameof(options.DataDir)} must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.DataSet) || options.DataSet.Length > MaxDataSetLength || options.DataSet.Any(char.IsControl))
        {
            failures.Add($"{Prefix}{nameof(options.DataSet)} must be 1 to {MaxDataSetLength} characters without control characters (was '{options.DataSet}').");
        }

        Range(failures, nameof(options.MaxCapacity), options.MaxCapacity, 1024, BlockStoreLimits.MaxStoreCapacity);
        Range(failures, nameof(options.TimelineMaxSize), options.TimelineMaxSize, 1, 65536);
        Range(failures, nameof(options.MaxBlockBytes), options.MaxBlockBytes, 1024, 1L << 30);
        Range(failures, nameof(options.MaxMessageBytes), options.MaxMessageBytes, 1, 1L << 26);
        Range(failures, nameof(options.CacheSizeBytes), options.CacheSizeBytes, 0, long.MaxValue);
        Range(failures, nameof(options.TimelineCacheBytes), options.TimelineCacheBytes, 1, long.MaxValue);
        Range(failures, nameof(options.JournalMaxBytes), options.JournalMaxBytes, 4096, long.MaxValue);
        Range(failures, nameof(options.OpenBlocksMaxBytes), options.OpenBlocksMaxBytes, 4096, long.MaxValue);
        Range(failures, nameof(options.MaxGroupCommit), options.MaxGroupCommit, 1, 1_000_000);
        Range(failures, nameof(options.MaxRecipients), options.MaxRecipients, 1, MaxRecipientsLimit);
        Range(failures, nameof(options.WatchBufferSize), options.WatchBufferSize, 1, 1_000_000);
        if (options.OpenBlockMaxAge <= TimeSpan.Zero)
        {
            failures.Add($"{Prefix}{nameof(options.OpenBlockMaxAge)} must be positive (was {options.OpenBlockMaxAge}).");
        }

        Range(failures, nameof(options.IdempotencyMaxKeys), options.IdempotencyMaxKeys, 1, 10_000_000);
        if (options.IdempotencyWindow <= TimeSpan.Zero || options.IdempotencyWindow > TimeSpan.FromDays(366))
        {
            failures.Add($"{Prefix}{nameof(options.IdempotencyWindow)} must be positive and at most 366 days (was {options.IdempotencyWindow}).");
        }

        if (options.LockWaitTimeout < TimeSpan.Zero || options.LockWaitTimeout > MaxLockWait)
        {
            failures.Add($"{Prefix}{nameof(options.LockWaitTimeout)} must be between {TimeSpan.Zero} and {MaxLockWait} (was {options.LockWaitTimeout}).");
        }

        if (options.DataSetIdleTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{Prefix}{nameof(options.DataSetIdleTimeout)} must be positive (was {options.DataSetIdleTimeout}).");
        }

        if (options.Retention is null || options.Compaction is null)
        {
            failures.Add($"{Prefix}{nameof(options.Retention)} and {Prefix}{nameof(options.Compaction)} must be set.");
        }
        else
        {
            if (options.Retention.MaxAge is { } maxAge && (maxAge < TimeSpan.FromMilliseconds(1) || maxAge > TimeSpan.FromDays(36_525)))
            {
                failures.Add($"{Prefix}Retention:MaxAge must be at least 1 millisecond and at most 100 years, or unset (was {maxAge}).");
            }

            if (options.Compaction.Interval is { } interval && (interval < TimeSpan.FromSeconds(1) || interval > TimeSpan.FromDays(366)))
            {
                failures.Add($"{Prefix}Compaction:Interval must be between 1 second and 366 days, or unset to turn background compaction off (was {interval}).");
            }

            Range(failures, "Compaction:BytesPerSecond", options.Compaction.BytesPerSecond, 64L * 1024, 1L << 40);
        }

        if (!Enum.IsDefined(options.Durability))
        {
            failures.Add($"{Prefix}{nameof(options.Durability)} must be Full or Normal (was {options.Durability}).");
        }

        if (!Enum.IsDefined(options.Compression))
        {
            failures.Add($"{Prefix}{nameof(options.Compression)} must be None or Zstd (was {options.Compression}).");
        }

        Range(failures, nameof(options.CompressionLevel), options.CompressionLevel, BlockEncoding.MinLevel, BlockEncoding.MaxLevel);
        if (failures.Count == 0)
        {
            long needed = BlockCodec.Overhead(BlockStoreLimits.MaxIdBytes) + ConvEntry.MaxFixedSize + (long)options.MaxMessageBytes;
            long perBlock = Math.Min(options.MaxBlockBytes, options.MaxCapacity - BlockStoreLimits.StoreHeaderReserveBytes);
            if (needed > perBlock)
            {
                failures.Add(
                    $"{Prefix}{nameof(options.MaxMessageBytes)} ({options.MaxMessageBytes}) does not fit in one block: a block holding one such message " +
                    $"needs {needed} bytes, but {Prefix}{nameof(options.MaxCapacity)} ({options.MaxCapacity}) and {Prefix}{nameof(options.MaxBlockBytes)} " +
                    $"({options.MaxBlockBytes}) allow blocks of at most {perBlock} bytes. Lower {Prefix}{nameof(options.MaxMessageBytes)} or raise the other two.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// Checks the options against what <paramref name="provider"/> can store, before it opens anything: a block of
    /// <see cref="BlockStoreOptions.MaxBlockBytes"/> and a journal record holding one message of the largest size must fit.
    /// </summary>
    public static ValidateOptionsResult ValidateForProvider(BlockStoreOptions options, IBlockStoreProvider provider)
    {
        long limit = provider.MaxPayloadBytes;
        var failures = new List<string>();
        if (options.MaxBlockBytes > limit)
        {
            failures.Add(
                $"{Prefix}{nameof(options.MaxBlockBytes)} ({options.MaxBlockBytes}) is larger than the {provider.Name} provider can store in one " +
                $"piece ({limit} bytes); lower it to at most {limit}.");
        }

        long message = JournalCodec.LargestRecordSize(options.MaxMessageBytes, options.MaxRecipients);
        if (message > limit)
        {
            failures.Add(
                $"A message of {Prefix}{nameof(options.MaxMessageBytes)} ({options.MaxMessageBytes}) with {Prefix}{nameof(options.MaxRecipients)} " +
                $"({options.MaxRecipients}) recipients needs a journal record of {message} bytes, larger than the {provider.Name} provider can store " +
                $"({limit} bytes). Lower one of them.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Range(List<string> failures, string key, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{Prefix}{key} must be between {min} and {max} (was {value}).");
        }
    }
}
