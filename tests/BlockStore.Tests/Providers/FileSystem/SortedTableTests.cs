using System.Text;
using BlockStore.Providers.File;

namespace BlockStore.Tests.Providers.FileSystem;

/// <summary>The File provider's on-disk sorted table: lookups, scans, merges, tombstones, reopening, damage and crashes.</summary>
public sealed class SortedTableTests : IDisposable
{
    private const string Name = "t";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "blockstore-table-tests", Guid.NewGuid().ToString("N"));

    public SortedTableTests() => Directory.CreateDirectory(_dir);

    private string RunPath => Path.Combine(_dir, Name + ".table");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is not a test failure.
        }
    }

    [Fact]
    public void Lookups_and_scans_see_the_memtable_over_the_run_before_and_after_a_merge_and_a_reopen()
    {
        var model = new SortedDictionary<string, string>(StringComparer.Ordinal);
        SortedTable table = Open();
        try
        {
            Write(table, model, [("u1/c1", "a"), ("u1/c2", "b"), ("u2/c1", "c"), ("u10/c1", "d")], []);
            table.Merge();
            Write(table, model, [("u1/c3", "e"), ("u1/c2", "B"), ("u0/c9", "f")], ["u2/c1"]);

            AssertSame(table, model);
            Assert.Equal([("u1/c1", "a"), ("u1/c2", "B"), ("u1/c3", "e")], Scan(table, "u1/"));
            Assert.Empty(Scan(table, "u2/"));
            Assert.Null(table.Get(Key("u2/c1")));
            Assert.Equal(4, table.MemtableCount);

            table.Dispose();
            table = Open();
            AssertSame(table, model);
            Assert.Equal(4, table.MemtableCount);

            table.Merge();
            Assert.Equal(0, table.MemtableCount);
            AssertSame(table, model);
            table.Dispose();
            table = Open();
            AssertSame(table, model);
        }
        finally
        {
            table.Dispose();
        }
    }

    [Fact]
    public void Many_random_changes_over_many_pages_match_a_sorted_dictionary_through_automatic_merges()
    {
        var random = new Random(42);
        var model = new SortedDictionary<string, string>(StringComparer.Ordinal);
        SortedTable table = Open(threshold: 16 * 1024);
        try
        {
            for (int round = 0; round < 200; round++)
            {
                var puts = new List<(string, string)>();
                var deletes = new List<string>();
                for (int i = 0; i < 20; i++)
                {
                    string key = $"user{random.Next(300):D4}/conv{random.Next(10)}";
                    if (random.Next(4) == 0)
                    {
                        deletes.Add(key);
                    }
                    else
                    {
                        puts.Add((key, new string((char)('a' + random.Next(26)), random.Next(1, 60))));
                    }
                }

                Write(table, model, puts, deletes);
            }

            Assert.True(table.PageCount > 10, $"{table.PageCount} pages");
            AssertSame(table, model);
            Assert.Equal(model.Where(p => p.Key.StartsWith("user0042/", StringComparison.Ordinal)).Select(p => (p.Key, p.Value)), Scan(table, "user0042/"));
            table.Dispose();
            table = Open(threshold: 16 * 1024);
            AssertSame(table, model);
        }
        finally
        {
            table.Dispose();
        }
    }

    [Fact]
    public void A_log_is_merged_once_it_outgrows_its_run_even_below_the_threshold_so_rewritten_rows_do_not_pile_up_on_disk()
    {
        var model = new SortedDictionary<string, string>(StringComparer.Ordinal);
        using SortedTable table = Open();
        string LogPath() => Path.Combine(_dir, Name + ".log");
        long Length(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

        // 1,000 rows of about 110 bytes, rewritten in rounds: each round adds about 110 KB of log for the same live rows.
        long peak = 0;
        for (int round = 0; round < 40; round++)
        {
            Write(table, model, Enumerable.Range(0, 1_000).Select(i => ($"user{i:D4}", $"{round:D3}" + new string('v', 100))), []);
            peak = Math.Max(peak, Length(LogPath()));
        }

        Assert.True(table.PageCount > 0, "the log was never merged");
        Assert.True(peak < SortedTable.MinMergeBytes + (200 * 1024), $"the log reached {peak:N0} bytes");
        Assert.True(Length(RunPath) < 200 * 1024, $"the run holds {Length(RunPath):N0} bytes for 1,000 live rows");
        AssertSame(table, model);

        // A run larger than the floor: the log waits until it holds as many bytes as the run.
        Write(table, model, Enumerable.Range(0, 20_000).Select(i => ($"row{i:D5}", new string('w', 100))), []);
        table.Merge();
        long runBytes = Length(RunPath);
        Assert.True(runBytes > 2 * SortedTable.MinMergeBytes, $"{runBytes:N0} bytes");
        long before = Length(LogPath());
        int rounds = 0;
        for (; rounds < 100; rounds++)
        {
            Write(table, model, Enumerable.Range(0, 1_000).Select(i => ($"user{i:D4}", $"{rounds:D3}" + new string('x', 100))), []);
            long now = Length(LogPath());
            if (now < before)
            {
                break;
            }

            before = now;
        }

        Assert.True(rounds < 100, "the log was never merged");
        Assert.InRange(before, runBytes - (200 * 1024), runBytes);
        AssertSame(table, model);
    }

    [Fact]
    public void A_scan_keeps_reading_the_run_it_started_on_while_a_merge_replaces_it()
    {
        var model = new SortedDictionary<string, string>(StringComparer.Ordinal);
        using SortedTable table = Open();
        Write(table, model, [.. Enumerable.Range(0, 2000).Select(i => ($"k{i:D5}", new string('v', 40)))], []);
        table.Merge();

        using IEnumerator<KeyValuePair<byte[], byte[]>> scan = table.Scan([]).GetEnumerator();
        Assert.True(scan.MoveNext());
        Write(table, model, [("k00000", "changed")], [.. Enumerable.Range(1, 1999).Select(i => $"k{i:D5}")]);
        table.Merge();

        int count = 1;
        while (scan.MoveNext())
        {
            count++;
        }

        Assert.Equal(2000, count);
        Assert.Equal([("k00000", "changed")], Scan(table, ""));
    }

    [Fact]
    public void Lookups_and_scans_are_served_while_a_merge_writes_its_run()
    {
        var model = new SortedDictionary<string, string>(StringComparer.Ordinal);
        using SortedTable table = Open();
        Write(table, model, [.. Enumerable.Range(0, 1000).Select(i => ($"k{i:D4}", $"old{i}"))], []);
        table.Merge();
        Write(table, model, [("k0001", "new1")], ["k0002"]);
        var during = new List<(string?, string?, int)>();
        var io = new DuringMove(() =>
        {
            // Another thread looks up while the merge holds the table's write lock, just before it renames the new run in.
            Task<(string?, string?, int)> lookup = Task.Run(() => (
                table.Get(Key("k0001")) is byte[] a ? Encoding.UTF8.GetString(a) : null,
                table.Get(Key("k0002")) is byte[] b ? Encoding.UTF8.GetString(b) : null,
                table.Scan([]).Count()));
            Assert.True(lookup.Wait(TimeSpan.FromMinutes(1)), "the lookup waited for the merge");
            during.Add(lookup.Result);
        });
        using (FileIo.Use(io))
        {
            table.Merge();
        }

        Assert.Equal([("new1", null, 999)], during);
        AssertSame(table, model);
    }

    [Fact]
    public void A_forced_merge_leaves_no_deleted_key_or_overwritten_value_in_any_file()
    {
        var model = new SortedDictionary<string, string>(StringComparer.Ordinal);
        using SortedTable table = Open();
        Write(table, model, [("keep", "kept-value"), ("forget-me", "secret-body"), ("old", "stale-value")], []);
        table.Merge();
        Write(table, model, [("old", "fresh-value")], ["forget-me"]);

        table.Merge();

        foreach (string file in Directory.GetFiles(_dir))
        {
            byte[] bytes = File.ReadAllBytes(file);
            Assert.Equal(-1, bytes.AsSpan().IndexOf("forget-me"u8));
            Assert.Equal(-1, bytes.AsSpan().IndexOf("secret-body"u8));
            Assert.Equal(-1, bytes.AsSpan().IndexOf("stale-value"u8));
        }

        AssertSame(table, model);
    }

    [Fact]
    public void A_damaged_page_is_reported_with_the_file_and_offset_and_never_returned()
    {
        long pageOffset = WriteRunWithDamagedSecondPage();

        using SortedTable reopened = Open();
        string key = Encoding.UTF8.GetString(FirstKeyOfPage(1));
        BlockStoreException lookup = Assert.Throws<BlockStoreException>(() => reopened.Get(Key(key)));
        Assert.Contains(RunPath, lookup.Message, StringComparison.Ordinal);
        Assert.Contains($"offset {pageOffset}", lookup.Message, StringComparison.Ordinal);
        Assert.Throws<BlockStoreException>(() => reopened.Scan([]).Count());
        Assert.Equal(new string('v', 30), Encoding.UTF8.GetString(reopened.Get(Key("k0000"))!));
    }

    [Fact]
    public void A_write_whose_merge_meets_a_damaged_page_stays_durable_and_the_merge_is_refused_later()
    {
        WriteRunWithDamagedSecondPage();
        byte[] bytes = File.ReadAllBytes(RunPath);

        using (SortedTable table = Open(threshold: 1))
        {
            Write(table, new(StringComparer.Ordinal), [("new", "value")], []);
            Assert.Equal("value"u8.ToArray(), table.Get(Key("new")));
            Assert.Throws<BlockStoreException>(table.Merge);
        }

        using SortedTable reopened = Open();
        Assert.Equal("value"u8.ToArray(), reopened.Get(Key("new")));
        Assert.Equal(bytes, File.ReadAllBytes(RunPath));
    }

    [Fact]
    public void A_damaged_footer_refuses_the_open_naming_the_file()
    {
        using (SortedTable table = Open())
        {
            Write(table, new(StringComparer.Ordinal), [("a", "1"), ("b", "2")], []);
            table.Merge();
        }

        byte[] bytes = File.ReadAllBytes(RunPath);
        bytes[^20] ^= 1;
        File.WriteAllBytes(RunPath, bytes);

        BlockStoreException refused = Assert.Throws<BlockStoreException>(() => Open());
        Assert.Contains(RunPath, refused.Message, StringComparison.Ordinal);
        Assert.Contains("footer", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_keys_and_values_are_refused_naming_the_parameter_and_nothing_is_written()
    {
        using SortedTable table = Open();
        var batch = new SortedTableBatch();
        Assert.Equal("key", Assert.Throws<ArgumentException>(() => batch.Put([], "v"u8)).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentException>(() => batch.Delete(new byte[SortedRun.MaxRecordBytes + 1])).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentException>(() => batch.Put("k"u8, new byte[SortedRun.MaxRecordBytes])).ParamName);
        Assert.Equal(0, batch.Count);
        batch.Put("k"u8, new byte[SortedRun.MaxRecordBytes - 1]);
        table.Write(batch);
        table.Merge();
        Assert.Equal(SortedRun.MaxRecordBytes - 1, table.Get("k"u8)!.Length);
    }

    [Fact]
    public async Task A_power_cut_at_any_point_of_writes_and_merges_keeps_every_acknowledged_batch()
    {
        string root = Path.Combine(_dir, "disk");
        string tableDir = Path.Combine(root, "meta");
        Directory.CreateDirectory(tableDir);
        var disk = new SimulatedDisk(root);
        var acknowledged = new List<int>();
        var snapshots = new List<SortedDictionary<string, string>>();
        var model = new SortedDictionary<string, string>(StringComparer.Ordinal);
        using (FileIo.Use(disk))
        {
            using SortedTable table = SortedTable.Open(tableDir, Name, FileKind.DirectoryTable, FileKind.DirectoryLog, Durability.Full, 1024);
            for (int round = 0; round < 40; round++)
            {
                Write(table, model, [($"k{round % 13:D2}", $"v{round}"), ($"n{round:D2}", "x")], round % 5 == 4 ? [$"n{round - 2:D2}"] : []);
                if (round % 9 == 8)
                {
                    table.Merge();
                }

                acknowledged.Add(disk.Position);
                snapshots.Add(new SortedDictionary<string, string>(model, StringComparer.Ordinal));
            }
        }

        await CrashReplay.ForEachCrashStateAsync(disk, 300, CrashReplay.Seed(), Path.Combine(_dir, "crash"), (target, position) =>
        {
            string meta = Path.Combine(target, "meta");
            DurableFiles.DeleteLeftovers(meta);
            using SortedTable table = SortedTable.Open(meta, Name, FileKind.DirectoryTable, FileKind.DirectoryLog, Durability.Full, 1024);
            int done = acknowledged.FindLastIndex(p => p <= position);
            List<(string, string)> actual = Scan(table, "");

            // Every batch acknowledged before the crash is there; the one being written may or may not be.
            bool matches = (done >= 0 && actual.SequenceEqual(snapshots[done].Select(p => (p.Key, p.Value))))
                || (done < 0 && actual.Count == 0)
                || (done + 1 < snapshots.Count && actual.SequenceEqual(snapshots[done + 1].Select(p => (p.Key, p.Value))));
            Assert.True(matches, $"After {done + 1} acknowledged batches the table holds {string.Join(", ", actual)}.");
            return Task.CompletedTask;
        });
    }

    /// <summary>Writes a run of 500 records over several pages, flips a bit in a record of its second page, and returns that page's offset.</summary>
    private long WriteRunWithDamagedSecondPage()
    {
        using (SortedTable table = Open())
        {
            Write(table, new(StringComparer.Ordinal), [.. Enumerable.Range(0, 500).Select(i => ($"k{i:D4}", new string('v', 30)))], []);
            table.Merge();
        }

        long pageOffset = 48 + SortedRun.PageSize;
        byte[] bytes = File.ReadAllBytes(RunPath);
        bytes[pageOffset + 100] ^= 0x40;
        File.WriteAllBytes(RunPath, bytes);
        return pageOffset;
    }

    private SortedTable Open(long threshold = long.MaxValue) =>
        SortedTable.Open(_dir, Name, FileKind.DirectoryTable, FileKind.DirectoryLog, Durability.Normal, threshold);

    private static byte[] Key(string key) => Encoding.UTF8.GetBytes(key);

    private static void Write(SortedTable table, SortedDictionary<string, string> model, IEnumerable<(string Key, string Value)> puts, IEnumerable<string> deletes)
    {
        var batch = new SortedTableBatch();
        foreach ((string key, string value) in puts)
        {
            batch.Put(Key(key), Key(value));
            model[key] = value;
        }

        foreach (string key in deletes)
        {
            batch.Delete(Key(key));
            model.Remove(key);
        }

        table.Write(batch);
    }

    private static List<(string Key, string Value)> Scan(SortedTable table, string prefix) =>
        [.. table.Scan(Key(prefix)).Select(p => (Encoding.UTF8.GetString(p.Key), Encoding.UTF8.GetString(p.Value)))];

    private static void AssertSame(SortedTable table, SortedDictionary<string, string> model)
    {
        Assert.Equal(model.Select(p => (p.Key, p.Value)), Scan(table, ""));
        foreach ((string key, string value) in model)
        {
            Assert.Equal(value, Encoding.UTF8.GetString(table.Get(Key(key)) ?? throw new Xunit.Sdk.XunitException($"'{key}' is missing")));
        }

        Assert.Null(table.Get(Key("absent")));
        Assert.Null(table.Get(Key("zzzz-after-all")));
    }

    private byte[] FirstKeyOfPage(int page)
    {
        byte[] bytes = File.ReadAllBytes(RunPath);
        int at = 48 + (page * SortedRun.PageSize) + SortedRun.PageHeaderSize;
        int length = BitConverter.ToUInt16(bytes, at);
        return bytes[(at + SortedRun.RecordHeaderSize)..(at + SortedRun.RecordHeaderSize + length)];
    }

    /// <summary>The system's file operations, running an action at the first rename (a merge putting its new run in place).</summary>
    private sealed class DuringMove(Action action) : IFileIo
    {
        private bool _done;

        public Microsoft.Win32.SafeHandles.SafeFileHandle Open(string path, FileStreamOptions options) => FileIo.System.Open(path, options);

        public void Write(Microsoft.Win32.SafeHandles.SafeFileHandle handle, ReadOnlySpan<byte> bytes, long offset) => FileIo.System.Write(handle, bytes, offset);

        public void Write(Microsoft.Win32.SafeHandles.SafeFileHandle handle, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long offset) =>
            FileIo.System.Write(handle, buffers, offset);

        public void SetLength(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long length) => FileIo.System.SetLength(handle, length);

        public void Preallocate(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long length) => FileIo.System.Preallocate(handle, length);

        public void FlushToDisk(Microsoft.Win32.SafeHandles.SafeFileHandle handle) => FileIo.System.FlushToDisk(handle);

        public void FlushData(Microsoft.Win32.SafeHandles.SafeFileHandle handle) => FileIo.System.FlushData(handle);

        public void Move(string source, string destination, bool overwrite)
        {
            if (!_done)
            {
                _done = true;
                action();
            }

            FileIo.System.Move(source, destination, overwrite);
        }

        public void Delete(string path) => FileIo.System.Delete(path);

        public void FlushDirectory(string directory) => FileIo.System.FlushDirectory(directory);
    }
}
