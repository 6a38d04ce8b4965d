using System.CommandLine;

namespace BlockStore.Cli.Commands;

/// <summary><c>blockstore verify</c>: checks every block and the journal; exit code 1 when anything is damaged.</summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var command = new Command("verify", CliCommands.Describe(
            "Reads every sealed block of every store and the journal, checks their checksums and that the index, the timelines and the " +
            "journal agree, and lists each problem with its store and offset. Exits with 1 when a problem is found.",
            "blockstore verify --data-dir ./data"));
        var dataSet = new DataSetOptions();
        dataSet.AddTo(command);
        command.SetAction((parsed, cancellationToken) => dataSet.RunAsync(parsed, mustExist: true, async (store, ct) =>
        {
            VerificationReport report = await store.VerifyAsync(ct);
            Console.Out.WriteLine(
                $"Checked {report.TimelinesChecked:N0} timelines, {report.BlocksChecked:N0} blocks ({report.BytesChecked:N0} bytes), " +
                $"{report.JournalRecordsChecked:N0} journal records.");
            foreach (VerificationProblem problem in report.Problems)
            {
                Console.Out.WriteLine(Describe(problem));
            }

            Console.Out.WriteLine(report.IsHealthy ? "No problem found." : $"{report.Problems.Count} problem(s) found.");
            return report.IsHealthy ? ExitCodes.Ok : ExitCodes.Problem;
        }, cancellationToken));
        return command;
    }

    private static string Describe(VerificationProblem problem)
    {
        string where = problem.StoreId is { } storeId ? $"store {storeId} offset {problem.Offset}: " : "";
        string timeline = problem.TimelineId is { } id ? $" ({problem.Kind} '{id}')" : "";
        return $"PROBLEM {where}{problem.Description}{timeline}";
    }
}
