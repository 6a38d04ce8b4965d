using BlockStore.Providers;
using BlockStore.Providers.File;

namespace BlockStore.Tests.Providers.FileSystem;

/// <summary>An inbox index in the earlier format (a snapshot and a log of records, served from memory) is converted into the sorted table once, at open.</summary>
public sealed class FileInboxMigrationTests : FileProviderTestBase
{
    [Fact]
    public async Task An_inbox_index_of_the_earlier_format_is_converted_once_at_open_and_erases_like_a_new_one()
    {
        await CloseAsync(await OpenAsync());
        foreach (string file in Directory.GetFiles(MetaDir, FileLayout.InboxTableName + ".*"))
        {
            File.Delete(file);
        }

        WriteEarlierFormat();

        IBlockStoreSession session = await OpenAsync();
        Assert.False(File.Exists(Path.Combine(MetaDir, "inbox.snapshot")));
        Assert.False(File.Exists(Path.Combine(MetaDir, "inbox.log")));
        Assert.True(File.Exists(Path.Combine(MetaDir, FileLayout.InboxTableName + SortedTable.RunExtension)));
        await AssertConvertedAsync(session.Inbox);

        session = await ReopenAsync(session);
        await AssertConvertedAsync(session.Inbox);

        // Rows converted from the earlier format are erased like new ones, by user and by conversation.
        await session.Inbox.DeleteConversationAsync("a");
        await session.Inbox.DeleteUserAsync("v");
        session = await ReopenAsync(session);
        Assert.Equal(["c", "b"], (await session.Inbox.GetPageAsync("u", long.MaxValue, 10)).Select(r => r.ConvId));
        Assert.Null(await session.Inbox.GetAsync("w", "a"));
        Assert.Empty(await session.Inbox.GetPageAsync("v", long.MaxValue, 10));

        static async Task AssertConvertedAsync(IInboxStore inbox)
        {
            Assert.Equal(45, await inbox.GetAppliedThroughAsync());
            Assert.Equal(
                [new InboxRow("a", 45, 7, 20, 2), new InboxRow("c", 41, 1, 0, 0), new InboxRow("b", 30, 5, 30, 3)],
                await inbox.GetPageAsync("u", long.MaxValue, 10));
            Assert.Equal(new InboxRow("a", 44, 2, 0, 0), await inbox.GetAsync("v", "a"));
            Assert.Equal(new InboxRow("a", 12, 1, 0, 0), await inbox.GetAsync("w", "a"));
            Assert.Equal(8, await inbox.GetUnreadTotalAsync("u"));
            Assert.Empty(await inbox.GetPageAsync("gone", long.MaxValue, 10));
            Assert.Null(await inbox.GetAsync("u", "erased"));
        }
    }

    /// <summary>Writes the snapshot and log the earlier format kept, record by record (see docs/format.md).</summary>
    private void WriteEarlierFormat()
    {
        using var record = new RecordBuffer();
        using SnapshotLog log = SnapshotLog.Open(MetaDir, FileLayout.InboxName, FileKind.InboxSnapshot, FileKind.InboxLog, Durability.Normal, long.MaxValue, static _ => { });

        // Rows (3), snapshot only: applied-through, count, then user, conv and last SeqId, count, read SeqId, read count.
        Rows(record, 40, ("u", "a", 40, 5, 20, 3), ("u", "b", 30, 5, 10, 2), ("gone", "a", 35, 2, 0, 0), ("u", "erased", 38, 1, 0, 0), ("w", "a", 12, 1, 0, 0));
        byte[] rows = record.WrittenSpan.ToArray();
        log.Compact(writer => writer.Write(rows));

        // Activity before deletes were counted (1): applied-through, count, then user, conv, last SeqId, added.
        record.Clear();
        record.WriteByte(1);
        record.WriteInt64(41);
        record.WriteInt32(1);
        record.WriteString("u");
        record.WriteString("c");
        record.WriteInt64(41);
        record.WriteInt64(1);
        log.Append(record.WrittenSpan);

        // Activity (6): as 1, plus the read entries deleted.
        record.Clear();
        record.WriteByte(6);
        record.WriteInt64(45);
        record.WriteInt32(2);
        record.WriteString("u");
        record.WriteString("a");
        record.WriteInt64(45);
        record.WriteInt64(2);
        record.WriteInt64(1);
        record.WriteString("v");
        record.WriteString("a");
        record.WriteInt64(44);
        record.WriteInt64(2);
        record.WriteInt64(0);
        log.Append(record.WrittenSpan);

        // Read markers (2): count, then user, conv, read SeqId, read count; a lower marker than the row's is ignored.
        record.Clear();
        record.WriteByte(2);
        record.WriteInt32(2);
        record.WriteString("u");
        record.WriteString("b");
        record.WriteInt64(30);
        record.WriteInt64(3);
        record.WriteString("u");
        record.WriteString("a");
        record.WriteInt64(5);
        record.WriteInt64(1);
        log.Append(record.WrittenSpan);

        // A user erased (4), a conversation erased (5).
        record.Clear();
        record.WriteByte(4);
        record.WriteString("gone");
        log.Append(record.WrittenSpan);
        record.Clear();
        record.WriteByte(5);
        record.WriteString("erased");
        log.Append(record.WrittenSpan);
    }

    private static void Rows(RecordBuffer record, long appliedThrough, params (string User, string Conv, long Last, long Count, long Read, long ReadCount)[] rows)
    {
        record.Clear();
        record.WriteByte(3);
        record.WriteInt64(appliedThrough);
        record.WriteInt32(rows.Length);
        foreach ((string user, string conv, long last, long count, long read, long readCount) in rows)
        {
            record.WriteString(user);
            record.WriteString(conv);
            record.WriteInt64(last);
            record.WriteInt64(count);
            record.WriteInt64(read);
            record.WriteInt64(readCount);
        }
    }
}
