using System.Diagnostics;

namespace BlockStore;

/// <summary>The names under which BlockStore publishes metrics and traces (for <c>AddMeter</c> and <c>AddSource</c>), and every tag name it uses.</summary>
public static class BlockStoreDiagnostics
{
    /// <summary>The name of BlockStore's <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string MeterName = "BlockStore";

    /// <summary>The name of BlockStore's <see cref="System.Diagnostics.ActivitySource"/>.</summary>
    public const string ActivitySourceName = "BlockStore";

    /// <summary>The tag on every measurement and activity naming the store's data set (the full path of <c>DataDir</c>).</summary>
    public const string DataDirTag = "blockstore.data_dir";

    /// <summary>The tag on activities that read or write one conversation, naming it.</summary>
    public const string ConvIdTag = "blockstore.conv_id";

    /// <summary>The tag on activities that read or write one user's timeline or checkpoint, naming the user.</summary>
    public const string UserIdTag = "blockstore.user_id";

    /// <summary>The tag on batch-append activities giving the number of messages in the batch.</summary>
    public const string MessageCountTag = "blockstore.message_count";

    /// <summary>The source of the activities of <see cref="MessageStore"/>'s public operations.</summary>
    internal static readonly ActivitySource ActivitySource = new(ActivitySourceName);
}
