namespace BlockStore.Sample;

/// <summary>Shows seeding progress: one line redrawn in place on a terminal, a line per tenth when the output is redirected.</summary>
internal sealed class SeedProgress(TextWriter output, long total)
{
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly bool _inPlace = !Console.IsOutputRedirected;
    private DateTime _lastDrawn = DateTime.MinValue;
    private long _lastTenth;

    public void Report(long written, TimeSpan storeTime)
    {
        if (_inPlace)
        {
            if (DateTime.UtcNow - _lastDrawn >= RedrawInterval || written == total)
            {
                output.Write($"\r{Text(written, storeTime)}");
                _lastDrawn = DateTime.UtcNow;
            }
        }
        else if (written * 10 / total is var tenth && tenth > _lastTenth)
        {
            output.WriteLine(Text(written, storeTime));
            _lastTenth = tenth;
        }
    }

    public void Complete()
    {
        if (_inPlace)
        {
            output.WriteLine();
        }
    }

    private string Text(long written, TimeSpan storeTime)
    {
        double rate = storeTime > TimeSpan.Zero ? written / storeTime.TotalSeconds : 0;
        return $"  seeding {written,10:N0} / {total:N0} messages {written * 100 / total,4}%  {rate,10:N0} msg/s";
    }
}
