using System.Text;
using BlockStore.Providers;
using BlockStore.Providers.File;
using BlockStore.Providers.Sqlite;
using Microsoft.Data.Sqlite;

namespace BlockStore.Cli.Tests;

/// <summary>
/// The <c>blockstore</c> tool run as a process against SQLite and File data sets: export and import round-trip, backup restores,
/// verify reports damage, bad usage exits 2 naming the option, a held data set is refused with the lock message.
/// </summary>
public sealed class CliTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "blockstore-cli-tests", Guid.NewGuid().ToString("N"));

    public CliTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is not a test failure.
        }
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("File")]
    public async Task Export_then_import_into_a_fresh_data_set_then_export_again_gives_identical_output(string provider)
    {
        string source = await SeedAsync(provider, "source");

        CliProcess.Result first = await RunAsync("export", "--provider", provider, "--data-dir", source, "-o", "first.jsonl");
        CliProcess.Result import = await RunAsync("import", "--provider", provider, "--data-dir", "copy", "--batch-size", "7", "first.jsonl");
        CliProcess.Result second = await RunAsync("export", "--provider", provider, "--data-dir", "copy");

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, import.ExitCode);
        Assert.Equal(0, second.ExitCode);
        string exported = await File.ReadAllTextAsync(Path.Combine(_root, "first.jsonl"));
        Assert.Equal(exported, second.Output);
        string[] lines = exported.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(SeededMessages, lines.Length);
        Assert.Contains(lines, l => l.Contains("\"base64\":\"AP8B\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("\"createdAt\":\"2024-05-01T08:00:00.000Z\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("\"userIds\":[\"alice\",\"bob\"]", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("File")]
    public async Task Export_of_one_conversation_or_user_holds_only_its_messages(string provider)
    {
        string source = await SeedAsync(provider, "source");

        CliProcess.Result conv = await RunAsync("export", "--provider", provider, "-d", source, "--conv", "general");
        CliProcess.Result user = await RunAsync("export", "--provider", provider, "-d", source, "--user", "carol");

        Assert.Equal(0, conv.ExitCode);
        string[] convLines = conv.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(20, convLines.Length);
        Assert.All(convLines, l => Assert.Contains("\"convId\":\"general\"", l, StringComparison.Ordinal));
        string[] userLines = user.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(10, userLines.Length);
        Assert.All(userLines, l => Assert.Contains("\"convId\":\"random\"", l, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("File")]
    public async Task A_backup_opens_as_a_data_set_holding_every_message(string provider)
    {
        string source = await SeedAsync(provider, "source");

        CliProcess.Result backup = await RunAsync("backup", "--provider", provider, "-d", source, "restored");
        CliProcess.Result original = await RunAsync("export", "--provider", provider, "-d", source);
        CliProcess.Result restored = await RunAsync("export", "--provider", provider, "-d", "restored");
        CliProcess.Result verify = await RunAsync("verify", "--provider", provider, "-d", "restored");
        CliProcess.Result again = await RunAsync("backup", "--provider", provider, "-d", source, "restored");

        Assert.Equal(0, backup.ExitCode);
        Assert.Equal(original.Output, restored.Output);
        Assert.Equal(SeededMessages, restored.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(0, verify.ExitCode);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("not an empty directory", again.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("File")]
    public async Task Verify_reports_a_flipped_byte_with_its_store_and_offset_and_exits_1(string provider)
    {
        string source = await SeedAsync(provider, "source");
        CliProcess.Result healthy = await RunAsync("verify", "--provider", provider, "-d", source);

        FlipAByte(provider, source);
        CliProcess.Result damaged = await RunAsync("verify", "--provider", provider, "-d", source);

        Assert.Equal(0, healthy.ExitCode);
        Assert.Contains("No problem found", healthy.Output, StringComparison.Ordinal);
        Assert.Equal(1, damaged.ExitCode);
        Assert.Matches(@"PROBLEM store \d+ offset \d+: ", damaged.Output);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("File")]
    public async Task Stats_prints_the_figures_and_each_store(string provider)
    {
        string source = await SeedAsync(provider, "source");

        CliProcess.Result stats = await RunAsync("stats", "--provider", provider, "-d", source);

        Assert.Equal(0, stats.ExitCode);
        Assert.Matches(@"Messages\s+" + SeededMessages + "\n", stats.Output);
        Assert.Matches(@"Conversations\s+4\n", stats.Output);
        Assert.Matches(@"\n\s+1\s+64\.0 MiB\s+", stats.Output);
    }

    [Fact]
    public async Task Tail_prints_the_newest_messages_oldest_first()
    {
        string source = await SeedAsync("Sqlite", "source");

        CliProcess.Result conv = await RunAsync("tail", "-d", source, "--conv", "general", "-n", "3");
        CliProcess.Result user = await RunAsync("tail", "-d", source, "--user", "carol", "-n", "2");

        Assert.Equal(0, conv.ExitCode);
        Assert.Equal(["general-17", "general-18", "general-19"], conv.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[(l.LastIndexOf(' ') + 1)..]));
        Assert.Equal(["random-8", "random-9"], user.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[(l.LastIndexOf(' ') + 1)..]));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("File")]
    public async Task Erase_removes_a_conversation_user_and_sender_and_leaves_no_byte_of_them_on_disk(string provider)
    {
        string source = await SeedAsync(provider, "source");
        byte[] general = Encoding.UTF8.GetBytes("general-1");
        byte[] random = Encoding.UTF8.GetBytes("random-3");
        Assert.True(OnDisk(source, general) && OnDisk(source, random), "the seeded bodies are not stored as they are, so this test could not fail");

        CliProcess.Result erase = await RunAsync("erase", "--provider", provider, "-d", source, "--conv", "general", "--user", "alice", "--sender", "2");
        CliProcess.Result exported = await RunAsync("export", "--provider", provider, "-d", source);
        CliProcess.Result compact = await RunAsync("compact", "--provider", provider, "-d", source);
        CliProcess.Result verify = await RunAsync("verify", "--provider", provider, "-d", source);

        Assert.Equal(0, erase.ExitCode);
        Assert.Contains("Compacted in", erase.Output, StringComparison.Ordinal);
        string[] lines = exported.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(lines, l => l.Contains("\"convId\":\"general\"", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("random-", StringComparison.Ordinal));
        Assert.Equal(21, lines.Length);
        Assert.False(OnDisk(source, general), "an erased conversation's body is still on disk");
        Assert.False(OnDisk(source, random), "an erased sender's body is still on disk");
        Assert.Equal(0, compact.ExitCode);
        Assert.Contains("0 entries and 0 bodies removed", compact.Output, StringComparison.Ordinal);
        Assert.Equal(0, verify.ExitCode);
    }

    [Fact]
    public async Task Erase_without_anything_to_erase_exits_2()
    {
        CliProcess.Result result = await RunAsync("erase", "--data-dir", ".");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--conv, --user or --sender", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--batch-size", "import", "--batch-size", "0", "x.jsonl")]
    [InlineData("--count", "tail", "--conv", "c", "--count", "many")]
    [InlineData("--bogus", "stats", "--bogus")]
    [InlineData("--conv", "export", "--conv", "a", "--user", "b")]
    [InlineData("--data-dir", "stats", "--data-dir", "does-not-exist")]
    [InlineData("Provider", "stats", "--provider", "Nope", "--data-dir", ".")]
    public async Task Bad_arguments_exit_2_naming_the_option(string named, params string[] args)
    {
        CliProcess.Result result = await RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(named, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_line_names_its_line_number_and_nothing_of_its_batch_is_written()
    {
        var lines = new StringBuilder();
        for (int i = 1; i <= 5; i++)
        {
            lines.Append($$"""{"convId":"c","senderId":1,"createdAt":"2024-01-01T00:00:0{{i}}.000Z","text":"m{{i}}","userIds":["u"]}""").Append('\n');
        }

        lines.Append("""{"convId":"c","senderId":1,"createdAt":"2023-01-01T00:00:00.000Z","text":"older","userIds":["u"]}""").Append('\n');
        await File.WriteAllTextAsync(Path.Combine(_root, "in.jsonl"), lines.ToString());

        CliProcess.Result refused = await RunAsync("import", "-d", "target", "--batch-size", "4", "in.jsonl");
        CliProcess.Result stored = await RunAsync("export", "-d", "target");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("line 6:", refused.Error, StringComparison.Ordinal);
        Assert.Contains("CreatedAt", refused.Error, StringComparison.Ordinal);
        Assert.Equal(4, stored.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task An_invalid_json_line_is_refused_with_its_line_number()
    {
        await File.WriteAllTextAsync(Path.Combine(_root, "in.jsonl"), """{"convId":"c","senderId":1,"createdAt":"2024-01-01T00:00:00.000Z","text":"a"}""" + "\n\n{not json\n");

        CliProcess.Result refused = await RunAsync("import", "-d", "target", "in.jsonl");
        CliProcess.Result stats = await RunAsync("stats", "-d", "target");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("line 3: not valid JSON", refused.Error, StringComparison.Ordinal);
        Assert.Matches(@"Messages\s+0\n", stats.Output);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("File")]
    public async Task A_data_set_held_by_another_process_is_refused_with_the_lock_message(string provider)
    {
        string source = await SeedAsync(provider, "source");
        await using MessageStore held = await MessageStore.OpenAsync(Options(source), CreateProvider(provider));

        CliProcess.Result result = await RunAsync("stats", "--provider", provider, "-d", source);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("already open", result.Error, StringComparison.Ordinal);
    }

    private const int SeededMessages = 41;

    /// <summary>Fills a data set in this process, then closes it: 20 messages in general, 10 in random, 10 binary ones in bin, one imported.</summary>
    /// <summary>Whether any file under <paramref name="dataDir"/> holds <paramref name="bytes"/>.</summary>
    private static bool OnDisk(string dataDir, byte[] bytes) =>
        Directory.EnumerateFiles(dataDir, "*", SearchOption.AllDirectories).Any(file => File.ReadAllBytes(file).AsSpan().IndexOf(bytes) >= 0);

    private async Task<string> SeedAsync(string provider, string name)
    {
        string dataDir = Path.Combine(_root, name);
        await using MessageStore store = await MessageStore.OpenAsync(Options(dataDir, o => { o.TimelineMaxSize = 8; o.Compression = BlockCompression.None; }), CreateProvider(provider));
        await store.AddMessagesAsync([new NewMessage("imported", 9, Encoding.UTF8.GetBytes("from 2024"), ["alice"]) { CreatedAt = new DateTimeOffset(2024, 5, 1, 8, 0, 0, TimeSpan.Zero) }]);
        for (int i = 0; i < 20; i++)
        {
            await store.AddMessageAsync("general", (uint)(i % 3), Encoding.UTF8.GetBytes($"hello \"world\" ✓ general-{i}"), ["alice", "bob"]);
            if (i < 10)
            {
                await store.AddMessageAsync("random", 2, Encoding.UTF8.GetBytes($"random-{i}"), ["carol", "bob"]);
                await store.AddMessageAsync("bin", 3, new byte[] { 0, 255, (byte)i }, []);
            }
        }

        return dataDir;
    }

    private static BlockStoreOptions Options(string dataDir, Action<BlockStoreOptions>? configure = null)
    {
        var options = new BlockStoreOptions { DataDir = dataDir, Durability = Durability.Normal };
        configure?.Invoke(options);
        return options;
    }

    private static IBlockStoreProvider CreateProvider(string provider) => provider == "File"
        ? new FileBlockStoreProvider(new FileBlockStoreOptions())
        : new SqliteBlockStoreProvider(new SqliteBlockStoreOptions());

    /// <summary>Flips one byte inside the first stored block, behind the provider's back.</summary>
    private static void FlipAByte(string provider, string dataDir)
    {
        if (provider == "File")
        {
            string store = Directory.GetFiles(Path.Combine(dataDir, "stores")).Order(StringComparer.Ordinal).First();
            using var file = new FileStream(store, FileMode.Open, FileAccess.ReadWrite);
            file.Position = file.Length - 3;
            int original = file.ReadByte();
            file.Position = file.Length - 3;
            file.WriteByte((byte)(original ^ 0x10));
            return;
        }

        using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, "blockstore.db")};Pooling=False");
        connection.Open();
        using SqliteCommand read = connection.CreateCommand();
        read.CommandText = "SELECT rowid, data FROM block_data ORDER BY rowid LIMIT 1";
        long rowId;
        byte[] data;
        using (SqliteDataReader reader = read.ExecuteReader())
        {
            Assert.True(reader.Read());
            rowId = reader.GetInt64(0);
            data = (byte[])reader[1];
        }

        data[^3] ^= 0x10;
        using SqliteCommand write = connection.CreateCommand();
        write.CommandText = "UPDATE block_data SET data = $data WHERE rowid = $id";
        write.Parameters.AddWithValue("$data", data);
        write.Parameters.AddWithValue("$id", rowId);
        Assert.Equal(1, write.ExecuteNonQuery());
    }

    private Task<CliProcess.Result> RunAsync(params string[] args) => CliProcess.RunAsync(_root, args);
}
