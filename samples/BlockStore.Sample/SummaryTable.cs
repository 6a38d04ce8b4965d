namespace BlockStore.Sample;

/// <summary>Prints the closing table: what the store holds (from <see cref="IMessageStore.GetStatsAsync"/>), the write rate and what compaction gave back, then its size on disk once closed.</summary>
internal static class SummaryTable
{
    private const int LabelWidth = 26;
    private const int ValueWidth = 16;

    /// <summary>Prints what the open store holds and returns its statistics.</summary>
    public static async Task<StoreStats> PrintAsync(IMessageStore store, string providerName, string dataDir, SeedResult seeded, CompactionReport compaction, TextWriter output, CancellationToken cancellationToken)
    {
        await store.FlushAsync(cancellationToken);
        StoreStats stats = await store.GetStatsAsync(cancellationToken);

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
        Row(output, "store bytes, compaction", $"{compaction.StoreBytesBefore:N0}", $"before → {compaction.StoreBytesAfter:N0} after ({compaction.StoreBytesBefore - compaction.StoreBytesAfter:N0} given back)");
        Row(output, "write rate", $"{seeded.MessagesPerSecond:N0}", $"msg/s ({seeded.Messages:N0} in {seeded.StoreTime.TotalSeconds:N2} s of AddMessagesAsync)");
        return stats;
    }

    /// <summary>
    /// Prints the data directory's size once the store is closed: while open, a provider may hold space it has allocated but not
    /// yet used (the file provider's journal segment).
    /// </summary>
    public static void PrintOnDisk(string dataDir, StoreStats stats, TextWriter output)
    {
        long onDisk = DataDirectory.SizeInBytes(dataDir);
        if (onDisk == 0)
        {
            Row(output, "bytes on disk (DataDir)", "-", "the provider keeps the data set elsewhere (a database server)");
            return;
        }

        Row(output, "bytes on disk (DataDir)", $"{onDisk:N0}", "closed");
        Row(output, "bytes per message", stats.Messages > 0 ? $"{(double)onDisk / stats.Messages:N0}" : "-", "on disk, closed");
    }

    private static void Row(TextWriter output, string label, string value, string note = "") =>
        output.WriteLine($"  {label.PadRight(LabelWidth)}{TerminalText.PadLeft(value, ValueWidth)}  {note}".TrimEnd());
}
