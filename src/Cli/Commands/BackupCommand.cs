using System.CommandLine;
using System.Diagnostics;

namespace BlockStore.Cli.Commands;

/// <summary><c>blockstore backup</c>: a consistent copy of a data set that opens when DataDir points at it.</summary>
internal static class BackupCommand
{
    public static Command Create()
    {
        var destination = new Argument<string>("destination") { Description = "A new or empty directory, outside the data set, to copy it into." };
        var command = new Command("backup", CliCommands.Describe(
            "Copies the data set into a new directory; point DataDir (--data-dir) at it to open or restore it. A running application " +
            "holds its data set, so it takes its own backups with IMessageStore.BackupAsync; PostgreSQL data sets are backed up " +
            "with PostgreSQL's tools (pg_dump).",
            "blockstore backup --data-dir ./data ./backups/2026-11-26"));
        command.Arguments.Add(destination);
        var dataSet = new DataSetOptions();
        dataSet.AddTo(command);
        command.SetAction((parsed, cancellationToken) => dataSet.RunAsync(parsed, mustExist: true, async (store, ct) =>
        {
            string target = Path.GetFullPath(parsed.GetValue(destination)!);
            long started = Stopwatch.GetTimestamp();
            try
            {
                await store.BackupAsync(target, ct);
            }
            catch (ArgumentException ex)
            {
                return DataSetOptions.Usage(ex.Message);
            }

            Console.Out.WriteLine($"Backed up into {target} in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s.");
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
