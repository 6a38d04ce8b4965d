using System.Text;
using Bogus;
using Microsoft.Extensions.Options;

namespace BlockStore.Sample;

/// <summary>
/// Makes reproducible chat data with Bogus: users, one-to-one chats and groups of 3 to <see cref="SampleOptions.MaxGroupMembers"/>
/// members, and messages whose conversations follow a Zipf-like skew (a few busy ones, many quiet ones).
/// </summary>
internal sealed class ChatDataGenerator
{
    /// <summary>The conversation of rank r gets a share of messages proportional to 1 / r^ZipfExponent.</summary>
    private const double ZipfExponent = 1.1;

    /// <summary>Group sizes are 3 + (max - 3) * u^GroupSizeSkew for uniform u, so most groups are small and a few are large.</summary>
    private const double GroupSizeSkew = 4;

    private const uint FirstSenderId = 1001;

    private readonly SampleOptions _options;
    private readonly Faker _faker;
    private readonly ChatPhrasebook _phrasebook;

    public ChatDataGenerator(IOptions<SampleOptions> options)
    {
        _options = options.Value;
        Randomizer.Seed = new Random(_options.Seed);
        _faker = new Faker(_options.Locale) { Random = new Randomizer(_options.Seed) };
        _phrasebook = ChatPhrasebook.For(_options.Locale);
    }

    public ChatWorld CreateWorld()
    {
        var users = new ChatUser[_options.Users];
        for (int i = 0; i < users.Length; i++)
        {
            uint senderId = FirstSenderId + (uint)i;
            users[i] = new ChatUser(senderId, $"user_{senderId}", _phrasebook.PersonName(_faker));
        }

        int groups = Math.Max(1, (int)Math.Round(_options.Conversations * _options.GroupShare));
        long possiblePairs = (long)users.Length * (users.Length - 1) / 2;
        int directs = (int)Math.Min(_options.Conversations - groups, possiblePairs);

        var conversations = new List<Conversation>(groups + directs);
        for (int i = 0; i < groups; i++)
        {
            double u = _faker.Random.Double();
            int size = Math.Min(users.Length, 3 + (int)Math.Round((_options.MaxGroupMembers - 3) * Math.Pow(u, GroupSizeSkew)));
            ChatUser[] members = _faker.PickRandom(users, size).ToArray();
            conversations.Add(new Conversation($"group_{i + 1:D4}", _phrasebook.GroupTitle(_faker), IsGroup: true, members, Weight: 0));
        }

        var pairs = new HashSet<(uint, uint)>();
        while (pairs.Count < directs)
        {
            ChatUser[] pair = _faker.PickRandom(users, 2).OrderBy(static u => u.SenderId).ToArray();
            if (pairs.Add((pair[0].SenderId, pair[1].SenderId)))
            {
                string convId = $"dm_{pair[0].SenderId}_{pair[1].SenderId}";
                conversations.Add(new Conversation(convId, _phrasebook.DirectTitle(pair[0], pair[1]), IsGroup: false, pair, Weight: 0));
            }
        }

        return new ChatWorld(users, RankByActivity(conversations));
    }

    /// <summary>Yields <see cref="SampleOptions.Messages"/> messages spread over the conversations by their weights.</summary>
    public IEnumerable<NewMessage> Messages(ChatWorld world)
    {
        var cumulative = new double[world.Conversations.Count];
        double total = 0;
        for (int i = 0; i < cumulative.Length; i++)
        {
            total += world.Conversations[i].Weight;
            cumulative[i] = total;
        }

        for (int n = 0; n < _options.Messages; n++)
        {
            int index = Array.BinarySearch(cumulative, _faker.Random.Double() * total);
            yield return Message(world.Conversations[index < 0 ? ~index : index]);
        }
    }

    /// <summary>One message from a random member of <paramref name="conversation"/> (other than <paramref name="notFrom"/>) to all its members.</summary>
    public NewMessage Message(Conversation conversation, ChatUser? notFrom = null)
    {
        ChatUser sender = PickMember(conversation, notFrom);
        ChatUser other = PickMember(conversation, sender);
        byte[] body = Encoding.UTF8.GetBytes(_phrasebook.Line(_faker, other));
        return new NewMessage(conversation.ConvId, sender.SenderId, body, conversation.MemberIds);
    }

    /// <summary>Gives each conversation the Zipf weight of a random rank, so busy and quiet ones come in all sizes.</summary>
    private Conversation[] RankByActivity(List<Conversation> conversations)
    {
        int[] ranks = _faker.Random.Shuffle(Enumerable.Range(1, conversations.Count)).ToArray();
        return conversations.Select((c, i) => c with { Weight = 1 / Math.Pow(ranks[i], ZipfExponent) }).ToArray();
    }

    private ChatUser PickMember(Conversation conversation, ChatUser? except)
    {
        ChatUser member;
        do
        {
            member = conversation.Members[_faker.Random.Int(0, conversation.Members.Count - 1)];
        }
        while (member == except);

        return member;
    }
}
