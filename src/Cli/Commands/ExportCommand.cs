using System.CommandLine;

namespace BlockStore.Cli.Commands;

/// <summary><c>blockstore export</c>: a conversation, a user timeline or the whole data set as JSON Lines, streamed.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var conv = new Option<string?>("--conv") { Description = "Export this conversation only (its lines carry no userIds)." };
        var user = new Option<string?>("--user") { Description = "Export this user's timeline only (its lines carry that user as userIds)." };
        var output = new Option<string?>("--output", "-o") { Description = "The file to write (replaced if it exists); default: stdout." };
        var command = new Command("export", CliCommands.Describe(
            "Writes messages as JSON Lines, oldest first: seqId, convId, senderId, createdAt, the body as text (UTF-8) or base64, and " +
            "userIds. Without --conv or --user the whole data set is written in SeqId order with every message's recipients, which " +
            "'import' reads back into a new data set.",
            "blockstore export --data-dir ./data -o all.jsonl",
            "blockstore export --data-dir ./data --conv general | head"));
        command.Options.Add(conv);
        command.Options.Add(user);
        command.Options.Add(output);
        command.Validators.Add(result =>
        {
            if (result.GetValue(conv) is not null && result.GetValue(user) is not null)
            {
                result.AddError("--conv and --user cannot be used together.");
            }
        });
        var dataSet = new DataSetOptions();
        dataSet.AddTo(command);
        command.SetAction((parsed, cancellationToken) => dataSet.RunAsync(parsed, mustExist: true, async (store, ct) =>
        {
            string? path = parsed.GetValue(output);
            await using Stream stream = path is null
                ? new BufferedStream(Console.OpenStandardOutput(), 1 << 16)
                : new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            using var progress = new Progress("Exported");
            if (parsed.GetValue(conv) is { } convId)
            {
                await ExportTimelineAsync(new ConvCursor(store, convId), null, stream, progress, ct);
            }
            else if (parsed.GetValue(user) is { } userId)
            {
                await ExportTimelineAsync(new UserCursor(store, userId), [userId], stream, progress, ct);
            }
            else
            {
                await ExportAllAsync(store, stream, progress, ct);
            }

            await stream.FlushAsync(ct);
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static async Task ExportTimelineAsync(TimelineCursor cursor, string[]? userIds, Stream output, Progress progress, CancellationToken cancellationToken)
    {
        while (await cursor.MoveNextAsync(cancellationToken))
        {
            MessageLine.Write(output, cursor.Current, userIds);
            progress.Add(1);
        }
    }

    /// <summary>
    /// Merges every conversation and every user timeline by SeqId: each message once, with the users whose timelines hold it.
    /// Memory holds one page per timeline, never the whole data set.
    /// </summary>
    private static async Task ExportAllAsync(IMessageStore store, Stream output, Progress progress, CancellationToken cancellationToken)
    {
        var heads = new PriorityQueue<TimelineCursor, long>();
        await foreach (string convId in store.ListTimelinesAsync(TimelineKind.Conversation, cancellationToken))
        {
            await StartAsync(heads, new ConvCursor(store, convId), cancellationToken);
        }

        await foreach (string userId in store.ListTimelinesAsync(TimelineKind.User, cancellationToken))
        {
            await StartAsync(heads, new UserCursor(store, userId), cancellationToken);
        }

        var recipients = new List<string>();
        while (heads.TryPeek(out _, out long seqId))
        {
            Message? message = null;
            recipients.Clear();
            while (heads.TryPeek(out TimelineCursor? cursor, out long head) && head == seqId)
            {
                heads.Dequeue();
                message ??= cursor.Current;
                if (cursor is UserCursor)
                {
                    recipients.Add(cursor.Id);
                }

                await StartAsync(heads, cursor, cancellationToken);
            }

            recipients.Sort(StringComparer.Ordinal);
            MessageLine.Write(output, message!, recipients);
            progress.Add(1);
        }
    }

    private static async Task StartAsync(PriorityQueue<TimelineCursor, long> heads, TimelineCursor cursor, CancellationToken cancellationToken)
    {
        if (await cursor.MoveNextAsync(cancellationToken))
        {
            heads.Enqueue(cursor, cursor.Current.SeqId);
        }
    }
}
