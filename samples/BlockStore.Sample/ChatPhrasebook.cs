using Bogus;

namespace BlockStore.Sample;

/// <summary>Turns Bogus data of one locale into chat: people's names, group titles and message lines.</summary>
internal abstract class ChatPhrasebook
{
    /// <summary>The share of messages that are short replies ("ok", "👍") rather than sentences.</summary>
    private const float ShortReplyShare = 0.35f;

    private static readonly string[] Emojis = ["😂", "👍", "🙏", "😅", "🎉", "🔥", "😭", "🙃", "👀", "❤️", "🤔", "😴", "☕", "🚀", "👌", "😎"];

    public static ChatPhrasebook For(string locale) => locale switch
    {
        "zh_CN" => new ChinesePhrasebook(),
        _ => new EnglishPhrasebook(),
    };

    public abstract string PersonName(Faker faker);

    public abstract string GroupTitle(Faker faker);

    public string DirectTitle(ChatUser first, ChatUser second) => $"{first.Name} & {second.Name}";

    /// <summary>One chat message, sometimes mentioning <paramref name="other"/>, another member of the conversation.</summary>
    public string Line(Faker faker, ChatUser other) => faker.Random.Bool(ShortReplyShare)
        ? faker.PickRandom(ShortReplies)(faker)
        : faker.PickRandom(Sentences)(faker, Mention(other));

    /// <summary>Replies of a word or an emoji.</summary>
    protected abstract IList<Func<Faker, string>> ShortReplies { get; }

    /// <summary>Sentence templates; the second argument is an @-mention of another member.</summary>
    protected abstract IList<Func<Faker, string, string>> Sentences { get; }

    protected static string Emoji(Faker faker) => faker.PickRandom(Emojis);

    protected abstract string Mention(ChatUser other);
}
