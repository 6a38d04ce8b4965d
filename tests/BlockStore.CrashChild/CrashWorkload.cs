using System.Globalization;
using System.Text;
using BlockStore.Providers;
using BlockStore.Providers.File;
using BlockStore.Providers.Postgres;
using BlockStore.Providers.Sqlite;

namespace BlockStore.CrashChild;

/// <summary>The crash tests' workload, shared by the child that writes and the test that checks what survived.</summary>
public static class CrashWorkload
{
    public static BlockStoreOptions Options(string dataDir, Durability durability) => new()
    {
        DataDir = dataDir,
        Durability = durability,
        TimelineMaxSize = 16,
        JournalMaxBytes = 64 * 1024,
        OpenBlockMaxAge = TimeSpan.FromMilliseconds(300),

        // A working set of one byte: every timeline without unsealed entries is evicted at the end of each writer turn.
        TimelineCacheBytes = 1,
    };

    public static IBlockStoreProvider Provider(string name) => name switch
    {
        "Sqlite" => new SqliteBlockStoreProvider(new SqliteBlockStoreOptions()),
        "File" => new FileBlockStoreProvider(new FileBlockStoreOptions()),
        "Postgres" => new PostgresBlockStoreProvider(new PostgresBlockStoreOptions
        {
            ConnectionString = Environment.GetEnvironmentVariable("BLOCKSTORE_POSTGRES"),
            Schema = Environment.GetEnvironmentVariable("BLOCKSTORE_POSTGRES_SCHEMA") ?? "blockstore",
        }),
        _ => throw new ArgumentException($"Unknown provider '{name}'.", nameof(name)),
    };

    public static string ConvOf(int writer, int i) => $"conv-{(writer + i) % 5}";

    public static string[] UsersOf(int writer, int i) => [$"user-{writer}", $"user-{(writer + i) % 7}"];

    /// <summary>Every user the workload writes to.</summary>
    public static IEnumerable<string> AllUsers => Enumerable.Range(0, 7).Select(static u => $"user-{u}");

    public static byte[] DataOf(int round, int writer, int i)
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{round}:{writer}:{i}:");
        text.Append('x', (i * 31) % 200);
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>The body the workload gives a message it edits.</summary>
    public static byte[] EditOf(int round, int writer, int i) => Encoding.UTF8.GetBytes($"edited {round}:{writer}:{i}");

    /// <summary>Whether the workload edits (every 11th) or deletes (every 13th) a message it has just added.</summary>
    public static MessageKind ChangeOf(int i) => i % 13 == 0 ? MessageKind.Delete : i % 11 == 0 ? MessageKind.Edit : MessageKind.Message;

    /// <summary>The idempotency key every message of the workload carries.</summary>
    public static string KeyOf(int round, int writer, int i) => $"{round}:{writer}:{i}";

    /// <summary>Adds messages (every fifth turn a batch of three), edits and deletes some, and moves checkpoints and read markers, printing each acknowledgement as it returns.</summary>
    public static async Task WriteForeverAsync(IMessageStore store, int round, int writer, TextWriter output)
    {
        for (int i = 0; ; i += 3)
        {
            if (i % 5 == 0)
            {
                var batch = new List<NewMessage>(3);
                for (int k = i; k < i + 3; k++)
                {
                    batch.Add(new NewMessage(ConvOf(writer, k), (uint)writer, DataOf(round, writer, k), UsersOf(writer, k)) { IdempotencyKey = KeyOf(round, writer, k) });
                }

                IReadOnlyList<Message> stored = await store.AddMessagesAsync(batch);
                for (int k = 0; k < stored.Count; k++)
                {
                    output.WriteLine($"A {stored[k].SeqId} {round} {writer} {i + k}");
                }
            }
            else
            {
                for (int k = i; k < i + 3; k++)
                {
                    Message stored = await store.AddMessageAsync(ConvOf(writer, k), (uint)writer, DataOf(round, writer, k), UsersOf(writer, k), KeyOf(round, writer, k));
                    output.WriteLine($"A {stored.SeqId} {round} {writer} {k}");
                    if (ChangeOf(k) != MessageKind.Message)
                    {
                        Message change = ChangeOf(k) == MessageKind.Edit
                            ? await store.EditMessageAsync(stored.ConvId, stored.SeqId, EditOf(round, writer, k))
                            : await store.DeleteMessageAsync(stored.ConvId, stored.SeqId);
                        output.WriteLine($"E {change.SeqId} {stored.SeqId}");
                    }

                    if (k % 7 == 0)
                    {
                        await store.UpdateUserCheckpointAsync($"user-{writer}", stored.SeqId);
                        output.WriteLine($"C user-{writer} {stored.SeqId}");
                    }

                    if (k % 11 == 0)
                    {
                        string reader = UsersOf(writer, k)[1];
                        await store.UpdateReadMarkerAsync(reader, stored.ConvId, stored.SeqId);
                        output.WriteLine($"M {reader} {stored.ConvId} {stored.SeqId}");
                    }
                }
            }
        }
    }

    /// <summary>Compacts again and again (the workload deletes every 13th message), so a kill lands during compactions too.</summary>
    public static async Task CompactForeverAsync(IMessageStore store)
    {
        while (true)
        {
            await Task.Delay(200);
            await store.CompactAsync();
        }
    }
}
