using Microsoft.Extensions.Logging;

namespace BlockStore.Engine;

/// <summary>The engine's log messages, with stable event ids.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Opened BlockStore at {Location} ({Provider} provider, {Durability} durability) with {Timelines} timelines and {Blocks} sealed blocks in {ElapsedMs} ms; next SeqId {NextSeqId}")]
    public static partial void Opened(ILogger logger, string location, string provider, Durability durability, int timelines, long blocks, long elapsedMs, long nextSeqId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Recovered {Records} journal records ({Messages} messages) into open blocks")]
    public static partial void Recovered(ILogger logger, int records, long messages);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Sealed {Blocks} blocks ({Bytes} bytes); journal kept from record {KeepFrom}")]
    public static partial void Sealed(ILogger logger, int blocks, long bytes, long keepFrom);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Sealing {Blocks} blocks failed; they stay journaled and will be sealed later")]
    public static partial void SealFailed(ILogger logger, Exception exception, int blocks);

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

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Created the first store {StoreId} at {Location}")]
    public static partial void CreatedFirstStore(ILogger logger, string location, long storeId);
}
