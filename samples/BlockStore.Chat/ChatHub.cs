using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR;

namespace BlockStore.Chat;

/// <summary>The live channel: streams a user's timeline from a SeqId on, straight from <see cref="IMessageStore.WatchUserAsync"/>.</summary>
public sealed class ChatHub(IMessageStore store, ChatDirectory directory) : Hub
{
    /// <summary>Streams every message of the user's timeline after <paramref name="afterSeqId"/>: first the stored ones, then each new one; a client that reconnects passes the last SeqId it received.</summary>
    public async IAsyncEnumerable<ChatMessageDto> Watch(string userId, long afterSeqId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IAsyncEnumerable<Message> watch;
        try
        {
            watch = store.WatchUserAsync(userId, afterSeqId, cancellationToken);
        }
        catch (ArgumentException ex)
        {
            throw new HubException($"Invalid {ex.ParamName}.");
        }

        if (directory.FindUser(userId) is null)
        {
            throw new HubException($"There is no user '{userId}'.");
        }

        await foreach (Message message in watch)
        {
            yield return ChatMessageDto.From(message, directory);
        }
    }
}
