using Microsoft.Extensions.Logging;

namespace BlockStore.Diagnostics;

/// <summary>BlockStore's log messages, with stable event ids, each used once.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Opened BlockStore at {Location} ({Provider} provider, {Durability} durability) with {Timelines} timelines and {Blocks} sealed blocks in {ElapsedMs} ms; next SeqId {NextSeqId}")]
    public static partial void Opened(ILogger logger, string location, string provider, Durability durability, long timelines, long blocks, long elapsedMs, long nextSeqId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Recovered {Records} journal records ({Messages} messages) into open blocks")]
    public static partial void Recovered(ILogger logger, int records, long messages);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Sealed {Blocks} blocks ({Bytes} bytes); journal kept from record {KeepFrom}")]
    public static partial void Sealed(ILogger logger, int blocks, long bytes, long keepFrom);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Sealing {Blocks} blocks failed ({Failures} in a row); they stay journaled and sealing is tried again in {RetryMs} ms")]
    public static partial void SealFailed(ILogger logger, Exception exception, int blocks, int failures, long retryMs);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "The journal write of {Messages} messages failed; their callers were told")]
    public static partial void JournalWriteFailed(ILogger logger, Exception exception, int messages);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Saving {Count} checkpoints failed; their callers were told")]
    public static partial void CheckpointWriteFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Closed BlockStore at {Location}")]
    public static partial void Closed(ILogger logger, string location);

    [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "Registering {Count} timelines failed; their callers were told")]
    public static partial void RegisterFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Rolled to new store {StoreId} at {Location}")]
    public static partial void RolledToNewStore(ILogger logger, string location, long storeId);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Created the first store {StoreId} at {Location}")]
    public static partial void CreatedFirstStore(ILogger logger, string location, long storeId);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "The stored checkpoint of user '{UserId}' ({Checkpoint}) is beyond their timeline (last SeqId {LastSeqId}), as a power cut under Durability.Normal can leave it; it is read as the timeline's end")]
    public static partial void CheckpointClamped(ILogger logger, string userId, long checkpoint, long lastSeqId);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Sealing succeeded again after {Failures} failed attempts")]
    public static partial void SealRecovered(ILogger logger, int failures);

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Reading the store figures of {Location} for the gauges failed; they stay as they were")]
    public static partial void StoreSizesUnavailable(ILogger logger, Exception exception, string location);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "The BlockStore data set at {Location} can be read by other accounts ({Count} entries, such as {Example}); restrict it to its owner (chmod -R go-rwx)")]
    public static partial void ReadableByOthers(ILogger logger, string location, int count, string example);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "Looking up timelines in the index failed; the messages of this commit were not stored and their callers were told")]
    public static partial void TimelineLookupFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 40, Level = LogLevel.Error, Message = "Saving {Count} read markers failed; their callers were told")]
    public static partial void ReadMarkerWriteFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "Saving the inbox activity of {Count} users and conversations failed; the journal keeps it and sealing saves it again")]
    public static partial void InboxSaveFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 50, Level = LogLevel.Information, Message = "Backed up BlockStore at {Location} into {Destination} in {ElapsedMs} ms")]
    public static partial void BackupCompleted(ILogger logger, string location, string destination, long elapsedMs);

    [LoggerMessage(EventId = 51, Level = LogLevel.Error, Message = "Backing up BlockStore at {Location} into {Destination} failed; the caller was told")]
    public static partial void BackupFailed(ILogger logger, Exception exception, string location, string destination);

    [LoggerMessage(EventId = 60, Level = LogLevel.Information, Message = "Compacted: {Timelines} timelines and {Blocks} blocks rewritten, {Entries} entries removed; stores {BytesBefore} -> {BytesAfter} bytes")]
    public static partial void Compacted(ILogger logger, int timelines, int blocks, long entries, long bytesBefore, long bytesAfter);

    [LoggerMessage(EventId = 61, Level = LogLevel.Error, Message = "Background compaction failed; it runs again at its next interval")]
    public static partial void CompactionFailed(ILogger logger, Exception exception);
}
