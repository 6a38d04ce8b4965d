using System.Threading.Channels;
using BlockStore.Providers;

namespace BlockStore.Engine;

/// <summary>
/// One watch's buffer of live messages. The writer offers each published message with an increasing number; the buffer
/// is bounded and drops its oldest entry when full, so the writer never waits. A jump in the numbers the reader takes
/// out tells it that it overflowed and must read the missing messages from storage.
/// </summary>
internal sealed class Watch
{
    private readonly Channel<Live> _buffer;
    private long _offered;

    public Watch(TimelineKey key, BoundedChannelOptions options)
    {
        Key = key;
        _buffer = Channel.CreateBounded<Live>(options);
    }

    /// <summary>The timeline watched.</summary>
    public TimelineKey Key { get; }

    public ChannelReader<Live> Reader => _buffer.Reader;

    /// <summary>Buffers <paramref name="message"/> (writer only); when full the oldest buffered message is dropped instead of waiting.</summary>
    public void Offer(Message message) => _buffer.Writer.TryWrite(new Live(_offered++, message));

    /// <summary>Ends the buffer: the reader takes what is left, then learns the store closed.</summary>
    public void Close() => _buffer.Writer.TryComplete();

    /// <summary>A buffered message and its number among the messages offered to this watch (0 for the first).</summary>
    public readonly record struct Live(long Number, Message Message);
}
