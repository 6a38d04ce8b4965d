using System.Text.Json;
using Microsoft.Extensions.Options;

namespace BlockStore.Chat.Inbox;

/// <summary>How far each user has read each conversation, kept in a JSON file beside the data set.</summary>
public sealed class ReadMarks(IOptions<BlockStoreOptions> options)
{
    private readonly string _path = Path.Combine(options.Value.DataDir, "read-marks.json");
    private readonly Lock _lock = new();
    private Dictionary<string, Dictionary<string, long>>? _marks;

    /// <summary>The last SeqId <paramref name="userId"/> read in <paramref name="convId"/>, 0 if none.</summary>
    public long Get(string userId, string convId)
    {
        lock (_lock)
        {
            return Load().GetValueOrDefault(userId)?.GetValueOrDefault(convId) ?? 0;
        }
    }

    /// <summary>Moves the mark forward to <paramref name="seqId"/> (a lower value is ignored) and saves the file.</summary>
    public void Advance(string userId, string convId, long seqId)
    {
        lock (_lock)
        {
            Dictionary<string, Dictionary<string, long>> marks = Load();
            if (!marks.TryGetValue(userId, out Dictionary<string, long>? mine))
            {
                marks[userId] = mine = [];
            }

            if (seqId > mine.GetValueOrDefault(convId))
            {
                mine[convId] = seqId;
                Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
                File.WriteAllText(_path, JsonSerializer.Serialize(marks));
            }
        }
    }

    private Dictionary<string, Dictionary<string, long>> Load() =>
        _marks ??= File.Exists(_path)
            ? JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, long>>>(File.ReadAllText(_path)) ?? []
            : [];
}
