using System.Text;

namespace BlockStore.Chat;

/// <summary>A message as the pages see it: text instead of bytes, the sender's id and name instead of a number.</summary>
public sealed record ChatMessageDto(long SeqId, string ConvId, string SenderId, string SenderName, DateTimeOffset CreatedAt, string Text)
{
    /// <summary>Converts a stored message, naming its sender from <paramref name="directory"/>.</summary>
    public static ChatMessageDto From(Message message, ChatDirectory directory)
    {
        ChatUser? sender = directory.FindSender(message.SenderId);
        return new ChatMessageDto(message.SeqId, message.ConvId, sender?.Id ?? "", sender?.Name ?? $"user {message.SenderId}", message.CreatedAt,
            Encoding.UTF8.GetString(message.Data.Span));
    }
}
