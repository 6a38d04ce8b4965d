using System.CommandLine;
using System.Globalization;

namespace BlockStore.Cli.Commands;

/// <summary><c>blockstore stats</c>: the data set's figures and each store's use, as a table.</summary>
internal static class StatsCommand
{
    public static Command Create()
    {
        var command = new Command("stats", CliCommands.Describe(
            "Prints the data set's figures (stores, capacity, used bytes, blocks, messages, timelines, journal) and each store's use.",
            "blockstore stats --data-dir ./data"));
        var dataSet = new DataSetOptions();
        dataSet.AddTo(command);
        command.SetAction((parsed, cancellationToken) => dataSet.RunAsync(parsed, mustExist: true, async (store, ct) =>
        {
            StoreStats stats = await store.GetStatsAsync(ct);
            Console.Out.Write(Format(stats));
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    /// <summary>The figures as aligned text: a two-column summary, then one row per store.</summary>
    public static string Format(StoreStats stats)
    {
        var rows = new (string Name, string Value)[]
        {
            ("Stores", N(stats.Stores)),
            ("Capacity", Size(stats.CapacityBytes)),
            ("Used", $"{Size(stats.UsedBytes)} ({Percent(stats.UsedBytes, stats.CapacityBytes)})"),
            ("Sealed blocks", N(stats.Blocks)),
            ("Open blocks", N(stats.OpenBlocks)),
            ("Full blocks", N(stats.FullBlocks)),
            ("Messages", N(stats.Messages)),
            ("Conversations", N(stats.ConvTimelines)),
            ("Users", N(stats.UserTimelines)),
            ("Last SeqId", N(stats.LastSeqId)),
            ("Journal", Size(stats.JournalBytes)),
        };
        int width = rows.Max(r => r.Name.Length);
        var text = new System.Text.StringBuilder();
        foreach ((string name, string value) in rows)
        {
            text.Append(name.PadRight(width)).Append("  ").AppendLine(value);
        }

        if (stats.StoreDetails.Count > 0)
        {
            text.AppendLine();
            text.AppendLine($"{"Store",8}  {"Capacity",12}  {"Used",12}  {"Use",6}");
            foreach (StoreInfo store in stats.StoreDetails)
            {
                text.AppendLine($"{store.StoreId,8}  {Size(store.Capacity),12}  {Size(store.UsedBytes),12}  {Percent(store.UsedBytes, store.Capacity),6}");
            }
        }

        return text.ToString();
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Percent(long part, long whole) =>
        whole == 0 ? "-" : (100.0 * part / whole).ToString("F1", CultureInfo.InvariantCulture) + " %";

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => ((double)bytes / (1L << 30)).ToString("F1", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => ((double)bytes / (1L << 20)).ToString("F1", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => ((double)bytes / (1L << 10)).ToString("F1", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
