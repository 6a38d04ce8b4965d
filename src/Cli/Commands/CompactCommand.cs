using System.CommandLine;

namespace BlockStore.Cli.Commands;

/// <summary><c>blockstore compact</c>: removes the bytes of deleted, expired and erased messages from the data set now.</summary>
internal static class CompactCommand
{
    public static Command Create()
    {
        var command = new Command("compact", CliCommands.Describe(
            "Compacts the data set: rewrites the blocks holding deleted, expired or erased messages message by message, frees the " +
            "old blocks and gives their space back, so no byte of those bodies is left in its files. A running application compacts " +
            "in the background (BlockStore:Compaction:Interval) or with IMessageStore.CompactAsync.",
            "blockstore compact --data-dir ./data"));
        var dataSet = new DataSetOptions();
        dataSet.AddTo(command);
        command.SetAction((parsed, cancellationToken) => dataSet.RunAsync(parsed, mustExist: true, async (store, ct) =>
        {
            Print(await store.CompactAsync(ct));
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    /// <summary>Prints what a compaction did.</summary>
    public static void Print(CompactionReport report) => Console.Out.WriteLine(
        $"Compacted in {report.Duration.TotalSeconds:F1} s: {report.TimelinesRewritten:N0} timelines rewritten ({report.TimelinesDeleted:N0} removed), " +
        $"{report.EntriesRemoved:N0} entries and {report.BodiesErased:N0} bodies removed, {report.BlocksRewritten:N0} blocks rewritten, " +
        $"{report.BlocksRemoved:N0} removed, {report.BlocksMoved:N0} moved; stores {report.StoreBytesBefore:N0} -> {report.StoreBytesAfter:N0} bytes.");
}
