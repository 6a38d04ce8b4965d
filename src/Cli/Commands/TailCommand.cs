using System.CommandLine;
using System.Globalization;
using System.Text;

namespace BlockStore.Cli.Commands;

/// <summary><c>blockstore tail</c>: a conversation's or user's newest messages, and with <c>--follow</c> each new one as it is stored.</summary>
internal static class TailCommand
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static Command Create()
    {
        var conv = new Option<string?>("--conv") { Description = "The conversation to show." };
        var user = new Option<string?>("--user") { Description = "The user whose timeline to show." };
        var count = new Option<int>("--count", "-n") { Description = "How many of the newest messages to show.", DefaultValueFactory = _ => 20 };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep running and print each new message as its write is acknowledged (Ctrl+C ends)." };
        count.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && int.TryParse(result.Tokens[^1].Value, out int n) && n < 0)
            {
                result.AddError("--count must not be negative.");
            }
        });
        var command = new Command("tail", CliCommands.Describe(
            "Prints the newest messages of a conversation or a user's timeline, oldest first, one per line: SeqId, time, conversation, " +
            "sender and body (text, or the size of a binary body). The data set is held while it runs, so follow a live application's " +
            "data set through the application; --follow is for data sets this tool owns, such as one being imported.",
            "blockstore tail --data-dir ./data --conv general -n 50",
            "blockstore tail --data-dir ./data --user alice --follow"));
        command.Options.Add(conv);
        command.Options.Add(user);
        command.Options.Add(count);
        command.Options.Add(follow);
        command.Validators.Add(result =>
        {
            if ((result.GetValue(conv) is null) == (result.GetValue(user) is null))
            {
                result.AddError("Give exactly one of --conv or --user.");
            }
        });
        var dataSet = new DataSetOptions();
        dataSet.AddTo(command);
        command.SetAction((parsed, cancellationToken) => dataSet.RunAsync(parsed, mustExist: true, async (store, ct) =>
        {
            string? convId = parsed.GetValue(conv);
            string? userId = parsed.GetValue(user);
            int n = parsed.GetValue(count);
            IReadOnlyList<Message> newest = convId is not null
                ? n == 0 ? [] : await store.GetConvMessagesAsync(convId, n, 0, ct)
                : await NewestOfUserAsync(store, userId!, n, ct);
            long last = 0;
            foreach (Message message in newest)
            {
                Console.Out.WriteLine(Format(message));
                last = message.SeqId;
            }

            if (!parsed.GetValue(follow))
            {
                return ExitCodes.Ok;
            }

            last = Math.Max(last, (await store.GetStatsAsync(ct)).LastSeqId);
            IAsyncEnumerable<Message> live = convId is not null ? store.WatchConvAsync(convId, last, ct) : store.WatchUserAsync(userId!, last, ct);
            try
            {
                await foreach (Message message in live)
                {
                    Console.Out.WriteLine(Format(message));
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl+C is how following ends.
            }

            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    /// <summary>The newest <paramref name="count"/> messages of a user, oldest first: user timelines are read forward only, keeping the last few.</summary>
    private static async Task<IReadOnlyList<Message>> NewestOfUserAsync(IMessageStore store, string userId, int count, CancellationToken cancellationToken)
    {
        var newest = new Queue<Message>(count + 1);
        var cursor = new UserCursor(store, userId);
        while (count > 0 && await cursor.MoveNextAsync(cancellationToken))
        {
            newest.Enqueue(cursor.Current);
            if (newest.Count > count)
            {
                newest.Dequeue();
            }
        }

        return [.. newest];
    }

    private static string Format(Message message)
    {
        string body;
        try
        {
            body = StrictUtf8.GetString(message.Data.Span).ReplaceLineEndings(" ");
        }
        catch (DecoderFallbackException)
        {
            body = $"<{message.Data.Length} bytes>";
        }

        string time = message.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
        return $"{message.SeqId,10}  {time}  {message.ConvId}  {message.SenderId}: {body}";
    }
}
