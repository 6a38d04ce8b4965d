using System.Diagnostics;

namespace BlockStore.Cli;

/// <summary>A progress line on stderr, rewritten in place at most a few times a second; silent when stderr is redirected.</summary>
internal sealed class Progress(string verb) : IDisposable
{
    private static readonly long Interval = Stopwatch.Frequency / 5;

    private readonly bool _visible = !Console.IsErrorRedirected;
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _shown;
    private long _count;

    /// <summary>How many messages have been counted.</summary>
    public long Count => _count;

    /// <summary>Counts <paramref name="messages"/> more and redraws the line when it is due.</summary>
    public void Add(long messages)
    {
        _count += messages;
        long now = Stopwatch.GetTimestamp();
        if (_visible && now - _shown >= Interval)
        {
            _shown = now;
            Console.Error.Write($"\r{verb} {_count:N0} messages ({Stopwatch.GetElapsedTime(_started).TotalSeconds:F1} s)");
        }
    }

    /// <summary>Ends the line with the final count.</summary>
    public void Dispose()
    {
        if (_visible && _shown != 0)
        {
            Console.Error.WriteLine($"\r{verb} {_count:N0} messages ({Stopwatch.GetElapsedTime(_started).TotalSeconds:F1} s)");
        }
    }
}
