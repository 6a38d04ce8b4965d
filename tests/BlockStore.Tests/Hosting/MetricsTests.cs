using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace BlockStore.Tests.Hosting;

/// <summary>The <c>BlockStore</c> meter and activity source report what the store really did.</summary>
public sealed class MetricsTests : TempDirectory
{
    [Fact]
    public async Task Instruments_report_appends_seals_bytes_batches_durations_and_cache_hits()
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddBlockStore(b => b.Configure(o =>
        {
            o.DataDir = Dir;
            o.TimelineMaxSize = 4;
        }));
        await using ServiceProvider provider = services.BuildServiceProvider();
        IMeterFactory factory = provider.GetRequiredService<IMeterFactory>();
        using var recorder = new Recorder(instrument => ReferenceEquals(instrument.Meter.Scope, factory));
        IMessageStore store = provider.GetRequiredService<IMessageStore>();

        for (int i = 0; i < 10; i++)
        {
            await store.AddMessageAsync("c", 1, new byte[] { 1, 2, 3 }, ["u1", "u2"]);
        }

        await store.AddMessagesAsync([.. Enumerable.Range(0, 5).Select(_ => new NewMessage("d", 2, new byte[] { 4 }, ["u1"]))]);
        await store.FlushAsync(); // seals the full blocks, which then serve reads from the cache
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(10, (await store.GetConvMessagesAsync("c", 100)).Count);
        }

        await store.GetUserMessagesAsync("u1", 0, 100);
        StoreStats stats = await store.GetStatsAsync();
        recorder.Observe();

        Assert.Equal(15, recorder.Last("blockstore.messages.appended"));
        Assert.True(recorder.Last("blockstore.blocks.sealed") > 0);
        Assert.True(recorder.Last("blockstore.bytes.written") > 15 * 3);
        Assert.True(recorder.Last("blockstore.cache.hits") > 0);
        Assert.True(stats.UsedBytes > 0);
        Assert.Equal(stats.UsedBytes, recorder.Last("blockstore.store.used_bytes"));
        Assert.Equal(stats.CapacityBytes, recorder.Last("blockstore.store.capacity_bytes"));
        Assert.Equal(4, recorder.Last("blockstore.timelines.cached"));
        Assert.True(recorder.Last("blockstore.timelines.cached_bytes") > 4 * 256);
        Assert.Equal(0, recorder.Last("blockstore.timelines.evicted"));
        Assert.Equal(15, recorder.Values("blockstore.commit.batch_size").Sum());
        Assert.Contains(5, recorder.Values("blockstore.commit.batch_size"));
        Assert.Equal(11, recorder.Values("blockstore.append.duration").Count);

        // One journal write per group commit, and at least the flush's seal, each no longer than the calls that waited for them.
        Assert.Equal(recorder.Values("blockstore.commit.batch_size").Count, recorder.Values("blockstore.journal.commit.duration").Count);
        Assert.True(recorder.Values("blockstore.journal.commit.duration").Sum() <= recorder.Values("blockstore.append.duration").Sum());
        Assert.NotEmpty(recorder.Values("blockstore.seal.duration"));
        Assert.All(recorder.Values("blockstore.seal.duration"), seconds => Assert.InRange(seconds, double.Epsilon, 60));
        Assert.Equal(4, recorder.Values("blockstore.read.duration").Count);
        Assert.All(recorder.Values("blockstore.append.duration"), seconds => Assert.InRange(seconds, 0, 60));
        Assert.Equal("s", recorder.Instruments["blockstore.read.duration"].Unit);
        Assert.Equal("s", recorder.Instruments["blockstore.append.duration"].Unit);
        Assert.Equal("s", recorder.Instruments["blockstore.journal.commit.duration"].Unit);
        Assert.Equal("s", recorder.Instruments["blockstore.seal.duration"].Unit);
        Assert.Equal("By", recorder.Instruments["blockstore.bytes.written"].Unit);
        Assert.All(recorder.Instruments.Values, instrument => Assert.False(string.IsNullOrEmpty(instrument.Description)));
        Assert.All(recorder.Tags, dataDir => Assert.Equal(Path.GetFullPath(Dir), dataDir));
    }

    [Fact]
    public async Task Without_a_meter_factory_the_store_owns_its_meter_and_disposes_it_with_the_store()
    {
        string dataDir = Path.GetFullPath(Dir);
        MessageStore? store = null;
        using var recorder = new Recorder(instrument => instrument.Meter.Scope is null && instrument.Meter.Name == BlockStoreDiagnostics.MeterName);
        store = await MessageStore.OpenAsync(new BlockStoreOptions { DataDir = Dir });
        await store.AddMessageAsync("c", 1, new byte[] { 1 }, []);
        recorder.Observe();

        Assert.Equal(1, recorder.Last("blockstore.messages.appended", dataDir));

        await store.DisposeAsync();

        Assert.Contains("blockstore.messages.appended", recorder.Completed);
    }

    [Fact]
    public async Task Public_operations_are_traced_when_a_listener_is_attached()
    {
        string dataDir = Path.GetFullPath(Dir);
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == BlockStoreDiagnostics.ActivitySourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (Equals(activity.GetTagItem(BlockStoreDiagnostics.DataDirTag), dataDir))
                {
                    stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        await using (MessageStore store = await MessageStore.OpenAsync(new BlockStoreOptions { DataDir = Dir }))
        {
            await store.AddMessageAsync("room", 1, new byte[] { 1 }, ["u"]);
            await store.GetConvMessagesAsync("room", 10);
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.UpdateUserCheckpointAsync("u", 99));
        }

        Assert.Contains(stopped, a => a.OperationName == "Open");
        Activity append = Assert.Single(stopped, a => a.OperationName == "AddMessage");
        Assert.Equal("room", append.GetTagItem("blockstore.conv_id"));
        Assert.Single(stopped, a => a.OperationName == "GetConvMessages");
        Activity checkpoint = Assert.Single(stopped, a => a.OperationName == "UpdateUserCheckpoint");
        Assert.Equal(ActivityStatusCode.Error, checkpoint.Status);
    }

    /// <summary>Collects the measurements of the instruments <c>filter</c> accepts.</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, ConcurrentQueue<(double Value, string? DataDir)>> _values = new();

        public Recorder(Func<Instrument, bool> filter)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (filter(instrument))
                {
                    Instruments[instrument.Name] = instrument;
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.MeasurementsCompleted = (instrument, _) => Completed.Add(instrument.Name);
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
            _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
            _listener.Start();
        }

        public ConcurrentDictionary<string, Instrument> Instruments { get; } = new();

        public ConcurrentBag<string> Completed { get; } = [];

        public IEnumerable<string?> Tags => _values.Values.SelectMany(static q => q.Select(static v => v.DataDir));

        public void Observe() => _listener.RecordObservableInstruments();

        public List<double> Values(string name) => [.. _values.GetValueOrDefault(name, []).Select(static v => v.Value)];

        public double Last(string name, string? dataDir = null) =>
            _values[name].Where(v => dataDir is null || v.DataDir == dataDir).Last().Value;

        public void Dispose() => _listener.Dispose();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? dataDir = null;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == BlockStoreDiagnostics.DataDirTag)
                {
                    dataDir = tag.Value as string;
                }
            }

            _values.GetOrAdd(instrument.Name, static _ => new()).Enqueue((value, dataDir));
        }
    }
}
