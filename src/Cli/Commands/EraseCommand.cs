using System.CommandLine;

namespace BlockStore.Cli.Commands;

/// <summary><c>blockstore erase</c>: deletes conversations, users or a sender's messages on request, then compacts so their bytes are gone.</summary>
internal static class EraseCommand
{
    public static Command Create()
    {
        var conversations = new Option<string[]>("--conv") { Description = "Delete this conversation's history and every reference to it (repeatable).", AllowMultipleArgumentsPerToken = true };
        var users = new Option<string[]>("--user") { Description = "Delete this user's timeline, checkpoint and inbox (repeatable).", AllowMultipleArgumentsPerToken = true };
        var senders = new Option<uint[]>("--sender") { Description = "Delete every message this sender id has sent so far (repeatable).", AllowMultipleArgumentsPerToken = true };
        var noCompact = new Option<bool>("--no-compact") { Description = "Only delete (reads stop returning the data at once); leave the bytes to the next compaction." };
        var command = new Command("erase", CliCommands.Describe(
            "Erases on request (moderation, a user's right to erasure): deletes the conversations, users and senders' messages given, " +
            "then compacts, so when it returns no byte of them is left in the data set's files.",
            "blockstore erase --data-dir ./data --user alice --sender 42",
            "blockstore erase --data-dir ./data --conv spam-room --no-compact"));
        command.Options.Add(conversations);
        command.Options.Add(users);
        command.Options.Add(senders);
        command.Options.Add(noCompact);
        command.Validators.Add(result =>
        {
            if ((result.GetValue(conversations)?.Length ?? 0) + (result.GetValue(users)?.Length ?? 0) + (result.GetValue(senders)?.Length ?? 0) == 0)
            {
                result.AddError("Name at least one --conv, --user or --sender to erase.");
            }
        });
        var dataSet = new DataSetOptions();
        dataSet.AddTo(command);
        command.SetAction((parsed, cancellationToken) => dataSet.RunAsync(parsed, mustExist: true, async (store, ct) =>
        {
            try
            {
                foreach (string convId in parsed.GetValue(conversations) ?? [])
                {
                    await store.DeleteConversationAsync(convId, ct);
                    Console.Out.WriteLine($"Deleted conversation '{convId}'.");
                }

                foreach (string userId in parsed.GetValue(users) ?? [])
                {
                    await store.DeleteUserAsync(userId, ct);
                    Console.Out.WriteLine($"Deleted user '{userId}'.");
                }
            }
            catch (ArgumentException ex)
            {
                return DataSetOptions.Usage(ex.Message);
            }

            foreach (uint senderId in parsed.GetValue(senders) ?? [])
            {
                await store.EraseSenderAsync(senderId, ct);
                Console.Out.WriteLine($"Erased the messages of sender {senderId}.");
            }

            if (!parsed.GetValue(noCompact))
            {
                CompactCommand.Print(await store.CompactAsync(ct));
            }

            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
