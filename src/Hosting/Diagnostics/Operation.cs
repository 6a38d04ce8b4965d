using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace BlockStore.Diagnostics;

/// <summary>
/// One public operation of <see cref="MessageStore"/>: records its duration and, only when a listener is attached, traces it as an
/// activity (without a listener nothing is allocated).
/// </summary>
internal readonly struct Operation : IDisposable
{
    private readonly Histogram<double>? _duration;
    private readonly KeyValuePair<string, object?> _dataDir;
    private readonly long _started;

    public Operation(string name, Histogram<double>? duration, KeyValuePair<string, object?> dataDir)
    {
        _duration = duration;
        _dataDir = dataDir;
        _started = Stopwatch.GetTimestamp();
        Activity = BlockStoreDiagnostics.ActivitySource.StartActivity(name);
        Activity?.SetTag(dataDir.Key, dataDir.Value);
    }

    /// <summary>The activity tracing the operation; null when nobody listens.</summary>
    public Activity? Activity { get; }

    /// <summary>Marks the activity as failed with <paramref name="exception"/>.</summary>
    public void Fail(Exception exception)
    {
        if (Activity is { } activity)
        {
            activity.SetStatus(ActivityStatusCode.Error, exception.Message);
            activity.AddException(exception);
        }
    }

    /// <summary>Records the duration and ends the activity.</summary>
    public void Dispose()
    {
        _duration?.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, _dataDir);
        Activity?.Dispose();
    }
}
