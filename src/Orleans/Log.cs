using Microsoft.Extensions.Logging;

namespace BlockStore.Orleans;

/// <summary>The log messages of BlockStore.Orleans (event ids 70–79).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 70, Level = LogLevel.Information, Message = "Data set '{DataSetId}' activated on silo {Silo}")]
    public static partial void Activated(ILogger logger, string dataSetId, string silo);

    [LoggerMessage(EventId = 71, Level = LogLevel.Information, Message = "Data set '{DataSetId}' deactivated on silo {Silo} ({Reason}) and closed")]
    public static partial void Deactivated(ILogger logger, string dataSetId, string silo, string reason);

    [LoggerMessage(EventId = 72, Level = LogLevel.Warning, Message = "A call to data set '{DataSetId}' failed because the data set is moving or its silo failed; the caller may retry")]
    public static partial void Unavailable(ILogger logger, string dataSetId, Exception exception);

    [LoggerMessage(EventId = 73, Level = LogLevel.Information, Message = "Orleans clustering tables and queries are ready in PostgreSQL schema '{Schema}'")]
    public static partial void ClusteringSchemaReady(ILogger logger, string schema);
}
