namespace BlockStore.Sample;

/// <summary>Prints the closing table: what the store holds (from <see cref="IMessageStore.GetStatsAsync"/>), its size on disk, the write rate and what compaction gave back.</summary>
internal static class SummaryTable
{
    private const int LabelWidth = 26;
    private const int ValueWidth = 16;

    public static async Task PrintAsync(IMessageStore store, string providerName, string dataDir, SeedResult seeded, CompactionReport compaction, TextWriter output, CancellationToken cancellationToken)
    {
        await store.FlushAsync(cancellationToken);
        StoreStats stats = await store.GetStatsAsync(cancellationToken);
        long onDisk = DataDirectory.SizeInBytes(dataDir);

        output.WriteLine();
        output.WriteLine(TerminalText.Heading("Summary"));
        Row(output, "provider", providerName);
        Row(output, "data directory", "", Path.GetFullPath(dataDir));
        Row(output, "messages", $"{stats.Messages:N0}");
        Row(output, "last SeqId", $"{stats.LastSeqId:N0}");
        Row(output, "conversation timelines", $"{stats.ConvTimelines:N0}");
        Row(output, "user timelines", $"{stats.UserTimelines:N0}");
        Row(output, "user timeline entries", $"{seeded.Recipients:N0}", $"seeded; {(double)seeded.Recipients / Math.Max(1, seeded.Messages):N1} recipients per message");
        Row(output, "sealed blocks", $"{stats.Blocks:N0}");
        Row(output, "open blocks", $"{stats.OpenBlocks:N0}");
        Row(output, "stores", $"{stats.Stores:N0}");
        Row(output, "store bytes used", $"{stats.UsedBytes:N0}", $"of {stats.CapacityBytes:N0} capacity");
        Row(output, "journal bytes", $"{stats.JournalBytes:N0}");
        Row(output, "bytes on disk (DataDir)", $"{onDisk:N0}");
        Row(output, "bytes per message", stats.Messages > 0 ? $"{(double)onDisk / stats.Messages:N0}" : "-", "on disk");
        Row(output, "store bytes, compaction", $"{compaction.StoreBytesBefore:N0}", $"before → {compaction.StoreBytesAfter:N0} after ({compaction.StoreBytesBefore - compaction.StoreBytesAfter:N0} given back)");
        Row(output, "write rate", $"{seeded.MessagesPerSecond:N0}", $"msg/s ({seeded.Messages:N0} in {seeded.StoreTime.TotalSeconds:N2} s of AddMessagesAsync)");
    }

    private static void Row(TextWriter output, string label, string value, string note = "") =>
        output.WriteLine($"  {label.PadRight(LabelWidth)}{TerminalText.PadLeft(value, ValueWidth)}  {note}".TrimEnd());
}
