using System.Diagnostics;

namespace BlockStore;

/// <summary>The names under which BlockStore publishes metrics and traces, for <c>AddMeter</c> and <c>AddSource</c>.</summary>
public static class BlockStoreDiagnostics
{
    /// <summary>The name of BlockStore's <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string MeterName = "BlockStore";

    /// <summary>The name of BlockStore's <see cref="System.Diagnostics.ActivitySource"/>.</summary>
    public const string ActivitySourceName = "BlockStore";

    /// <summary>The tag on every measurement and activity naming the store's data set (the full path of <c>DataDir</c>).</summary>
    public const string DataDirTag = "blockstore.data_dir";

    /// <summary>The source of the activities of <see cref="MessageStore"/>'s public operations.</summary>
    internal static readonly ActivitySource ActivitySource = new(ActivitySourceName);
}
