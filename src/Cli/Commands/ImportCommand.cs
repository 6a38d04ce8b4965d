using System.CommandLine;
using System.Text.RegularExpressions;

namespace BlockStore.Cli.Commands;

/// <summary><c>blockstore import</c>: JSON Lines into a data set in batches, each batch all or nothing.</summary>
internal static partial class ImportCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "The JSON Lines file to read, or - for stdin." };
        var batchSize = new Option<int>("--batch-size") { Description = "Messages per batch (one group commit each).", DefaultValueFactory = _ => 500 };
        batchSize.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && int.TryParse(result.Tokens[^1].Value, out int size) && size is < 1 or > 100_000)
            {
                result.AddError("--batch-size must be from 1 to 100000.");
            }
        });
        var command = new Command("import", CliCommands.Describe(
            "Adds the messages of a JSON Lines file (as 'export' writes them) in batches, keeping their createdAt; seqId is not read: " +
            "the data set assigns its own, in file order. A line the library would refuse stops the import with its line number; " +
            "nothing of its batch is written, the batches before it stay. Creates the data set if it does not exist.",
            "blockstore import --data-dir ./restored all.jsonl"));
        command.Arguments.Add(input);
        command.Options.Add(batchSize);
        var dataSet = new DataSetOptions();
        dataSet.AddTo(command);
        command.SetAction((parsed, cancellationToken) =>
        {
            string path = parsed.GetValue(input)!;
            if (path != "-" && !File.Exists(path))
            {
                return Task.FromResult(DataSetOptions.Usage($"The input file '{Path.GetFullPath(path)}' does not exist."));
            }

            return dataSet.RunAsync(parsed, mustExist: false, async (store, ct) =>
            {
                using TextReader reader = path == "-" ? Console.In : new StreamReader(path);
                return await ImportAsync(store, reader, parsed.GetValue(batchSize), ct);
            }, cancellationToken);
        });
        return command;
    }

    private static async Task<int> ImportAsync(IMessageStore store, TextReader reader, int batchSize, CancellationToken cancellationToken)
    {
        var batch = new List<NewMessage>(batchSize);
        var lines = new List<long>(batchSize);
        long lineNumber = 0;
        using var progress = new Progress("Imported");
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                batch.Add(MessageLine.Read(line));
                lines.Add(lineNumber);
            }
            catch (FormatException ex)
            {
                return Refused(lineNumber, ex.Message, progress.Count);
            }

            if (batch.Count == batchSize && await AddAsync(store, batch, lines, progress, cancellationToken) is { } failed)
            {
                return failed;
            }
        }

        if (batch.Count > 0 && await AddAsync(store, batch, lines, progress, cancellationToken) is { } last)
        {
            return last;
        }

        Console.Out.WriteLine($"Imported {progress.Count:N0} messages.");
        return ExitCodes.Ok;
    }

    /// <summary>Adds one batch; returns null when it was stored, else the exit code after naming the refused line.</summary>
    private static async Task<int?> AddAsync(IMessageStore store, List<NewMessage> batch, List<long> lines, Progress progress, CancellationToken cancellationToken)
    {
        try
        {
            await store.AddMessagesAsync(batch, cancellationToken);
        }
        catch (ArgumentException ex)
        {
            // The library names the refused message as batch[i]; the operator needs the line it came from.
            Match match = BatchIndex().Match(ex.Message);
            long line = match.Success && int.TryParse(match.Groups[1].ValueSpan, out int index) && index < lines.Count ? lines[index] : lines[0];
            return Refused(line, BatchIndex().Replace(ex.Message.Replace($" (Parameter '{ex.ParamName}')", "", StringComparison.Ordinal), ""), progress.Count);
        }

        progress.Add(batch.Count);
        batch.Clear();
        lines.Clear();
        return null;
    }

    private static int Refused(long line, string reason, long imported) =>
        DataSetOptions.Problem($"line {line}: {reason.TrimEnd('.')}. Nothing of its batch was written; {imported:N0} messages before it were imported.");

    [GeneratedRegex(@"batch\[(\d+)\]\.?")]
    private static partial Regex BatchIndex();
}
