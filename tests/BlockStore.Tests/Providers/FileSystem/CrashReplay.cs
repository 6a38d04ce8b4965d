using System.Globalization;

namespace BlockStore.Tests.Providers.FileSystem;

/// <summary>
/// Replays a <see cref="SimulatedDisk"/>'s operations up to a crash point and writes out a state a power cut there could leave:
/// everything flushed, plus some of what was not (a prefix or an arbitrary subset of each file's unflushed writes, the last one
/// torn at any byte; a prefix of each directory's unflushed creations, renames and deletions).
/// </summary>
internal sealed class CrashReplay(SimulatedDisk disk)
{
    private readonly IReadOnlyList<DiskEvent> _events = disk.Events;
    private readonly Dictionary<int, byte[]> _durable = [];
    private readonly Dictionary<int, List<DiskEvent>> _unflushed = [];
    private readonly Dictionary<string, int> _names = new(StringComparer.Ordinal);
    private readonly List<DiskEvent> _unflushedNames = [];

    /// <summary>The seed of a run: BLOCKSTORE_POWERCUT_SEED when set (to replay a failed run), else a random one.</summary>
    public static int Seed() =>
        int.TryParse(Environment.GetEnvironmentVariable("BLOCKSTORE_POWERCUT_SEED"), CultureInfo.InvariantCulture, out int seed) ? seed : Random.Shared.Next();

    /// <summary>
    /// Rebuilds <paramref name="count"/> crash states of what <paramref name="disk"/> recorded, one at a time in
    /// <paramref name="target"/> (half just before or after a flush, where a power cut is most telling, half anywhere; chosen by
    /// <paramref name="seed"/>), and runs <paramref name="check"/> on each with the position of its crash; a failure names the
    /// state and the seed that replays it.
    /// </summary>
    public static async Task ForEachCrashStateAsync(SimulatedDisk disk, int count, int seed, string target, Func<string, int, Task> check)
    {
        IReadOnlyList<DiskEvent> events = disk.Events;
        int[] flushes = [.. Enumerable.Range(0, events.Count).Where(i => events[i].IsFlush)];
        Assert.NotEmpty(flushes);
        var random = new Random(seed);
        var points = new List<(int State, int Position)>(count);
        for (int state = 0; state < count; state++)
        {
            points.Add((state, state % 2 == 0 ? flushes[random.Next(flushes.Length)] + random.Next(2) : random.Next(events.Count + 1)));
        }

        var replay = new CrashReplay(disk);
        foreach ((int state, int position) in points.OrderBy(p => p.Position))
        {
            replay.AdvanceTo(position);
            replay.WriteCrashState(target, new Random(HashCode.Combine(seed, state)));
            try
            {
                await check(target, position);
            }
            catch (Exception ex)
            {
                throw new Xunit.Sdk.XunitException(
                    $"Crash state {state} at operation {position} of {events.Count} (seed {seed}; BLOCKSTORE_POWERCUT_SEED={seed} replays it): {ex}");
            }
            finally
            {
                Directory.Delete(target, recursive: true);
            }
        }
    }

    /// <summary>How many operations have been replayed.</summary>
    public int Position { get; private set; }

    /// <summary>Replays the operations up to <paramref name="position"/> (at or after the current one).</summary>
    public void AdvanceTo(int position)
    {
        for (; Position < position; Position++)
        {
            switch (_events[Position])
            {
                case DiskEvent.Adopt adopt:
                    _durable[adopt.File] = adopt.Content;
                    _unflushed[adopt.File] = [];
                    _names[adopt.Path] = adopt.File;
                    break;
                case DiskEvent.Link link:
                    _durable[link.File] = [];
                    _unflushed[link.File] = [];
                    _unflushedNames.Add(link);
                    break;
                case DiskEvent.Write write:
                    _unflushed[write.File].Add(write);
                    break;
                case DiskEvent.Resize resize:
                    _unflushed[resize.File].Add(resize);
                    break;
                case DiskEvent.Sync sync:
                    _durable[sync.File] = Apply(_durable[sync.File], _unflushed[sync.File], _unflushed[sync.File].Count, tornAt: null);
                    _unflushed[sync.File].Clear();
                    break;
                case DiskEvent.SyncDirectory directory:
                    List<DiskEvent> done = [.. _unflushedNames.Where(e => DirectoryOf(e) == directory.Directory)];
                    ApplyNames(_names, done);
                    _unflushedNames.RemoveAll(done.Contains);
                    break;
                default:
                    _unflushedNames.Add(_events[Position]);
                    break;
            }
        }
    }

    /// <summary>Writes one possible power-cut state at the current position into <paramref name="target"/>, chosen by <paramref name="random"/>.</summary>
    public void WriteCrashState(string target, Random random)
    {
        var names = new Dictionary<string, int>(_names, StringComparer.Ordinal);
        foreach (IGrouping<string, DiskEvent> directory in _unflushedNames.GroupBy(DirectoryOf))
        {
            List<DiskEvent> pending = [.. directory];
            ApplyNames(names, pending.Take(random.Next(pending.Count + 1)));
        }

        foreach (string directory in Directory.EnumerateDirectories(disk.Root, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(disk.Root, directory)));
        }

        foreach (string path in Directory.EnumerateFiles(disk.Root, "*", SearchOption.AllDirectories).Where(p => !disk.Recorded(p)))
        {
            File.Copy(path, Path.Combine(target, Path.GetRelativePath(disk.Root, path)));
        }

        foreach ((string path, int file) in names)
        {
            File.WriteAllBytes(Path.Combine(target, Path.GetRelativePath(disk.Root, path)), Image(file, random));
        }
    }

    /// <summary>The file's durable bytes with some of its unflushed writes applied, the last one possibly torn.</summary>
    private byte[] Image(int file, Random random)
    {
        List<DiskEvent> pending = _unflushed[file];
        List<DiskEvent> kept = random.Next(3) switch
        {
            0 => [],
            1 => [.. pending.Take(random.Next(pending.Count + 1))],
            _ => [.. pending.Where(_ => random.Next(2) == 0)],
        };
        int? tornAt = kept.Count > 0 && kept[^1] is DiskEvent.Write last && random.Next(2) == 0 ? random.Next(last.Bytes.Length) : null;
        return Apply(_durable[file], kept, kept.Count, tornAt);
    }

    private static byte[] Apply(byte[] start, List<DiskEvent> operations, int count, int? tornAt)
    {
        var bytes = new List<byte>(start);
        for (int i = 0; i < count; i++)
        {
            switch (operations[i])
            {
                case DiskEvent.Write write:
                    int length = i == count - 1 && tornAt is int torn ? torn : write.Bytes.Length;
                    Resize(bytes, Math.Max(bytes.Count, write.Offset + length));
                    for (int j = 0; j < length; j++)
                    {
                        bytes[(int)write.Offset + j] = write.Bytes[j];
                    }

                    break;
                case DiskEvent.Resize resize:
                    Resize(bytes, resize.Length);
                    break;
            }
        }

        return [.. bytes];
    }

    private static void Resize(List<byte> bytes, long length)
    {
        if (bytes.Count > length)
        {
            bytes.RemoveRange((int)length, bytes.Count - (int)length);
        }
        else
        {
            bytes.AddRange(new byte[length - bytes.Count]);
        }
    }

    private static void ApplyNames(Dictionary<string, int> names, IEnumerable<DiskEvent> operations)
    {
        foreach (DiskEvent e in operations)
        {
            switch (e)
            {
                case DiskEvent.Link link:
                    names[link.Path] = link.File;
                    break;
                case DiskEvent.Rename rename when names.Remove(rename.Source, out int file):
                    names[rename.Destination] = file;
                    break;
                case DiskEvent.Unlink unlink:
                    names.Remove(unlink.Path);
                    break;
            }
        }
    }

    private static string DirectoryOf(DiskEvent e) => e switch
    {
        DiskEvent.Link link => Path.GetDirectoryName(link.Path)!,
        DiskEvent.Rename rename => Path.GetDirectoryName(rename.Destination)!,
        DiskEvent.Unlink unlink => Path.GetDirectoryName(unlink.Path)!,
        _ => throw new ArgumentException($"{e} is not a directory operation.", nameof(e)),
    };
}
