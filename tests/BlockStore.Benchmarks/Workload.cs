namespace BlockStore.Benchmarks;

/// <summary>
/// A fixed-seed chat workload: conversations whose activity follows a Zipf law, each with a stable member set drawn
/// from a user population; every message is sent by a member to about three members, with a random body.
/// </summary>
/// <remarks>
/// Member sets hold 4 to 16 users (10 on average), so 1,000 conversations reach most of 10,000 users; a message goes to
/// 2 to 4 distinct members, so a user's timeline only ever holds messages of the conversations the user belongs to.
/// </remarks>
internal sealed class Workload
{
    /// <summary>The seed of every random choice, so each run and each target sees the same messages and queries.</summary>
    public const int Seed = 20_260_501;

    private const int MinBodyBytes = 60;
    private const int MaxBodyBytes = 260;
    private const int BodyPoolBytes = 1 << 20;

    private readonly byte[] _bodyPool;
    private readonly int[][] _members;
    private readonly double[] _cumulativeWeights;
    private readonly Random _random;

    public Workload(int conversations, int users, int seed = Seed)
    {
        _random = new Random(seed);
        _bodyPool = new byte[BodyPoolBytes];
        FillWithText(_bodyPool, _random);
        ConvIds = new string[conversations];
        _members = new int[conversations][];
        _cumulativeWeights = new double[conversations];
        var memberUsers = new HashSet<int>();
        double total = 0;
        for (int c = 0; c < conversations; c++)
        {
            ConvIds[c] = ConvId(c);
            _members[c] = DistinctSample(users, _random.Next(4, 17));
            memberUsers.UnionWith(_members[c]);
            total += 1.0 / (c + 1);
            _cumulativeWeights[c] = total;
        }

        MemberUserIds = [.. memberUsers.Order().Select(UserId)];
    }

    /// <summary>The conversation ids, most active first.</summary>
    public string[] ConvIds { get; }

    /// <summary>The ids of users belonging to at least one conversation (the ones whose timelines fill up).</summary>
    public string[] MemberUserIds { get; }

    public static string ConvId(int index) => $"conv-{index:D4}";

    public static string UserId(int index) => $"user-{index:D7}";

    /// <summary>The next <paramref name="count"/> messages of the workload's stream.</summary>
    public NewMessage[] Next(int count)
    {
        var messages = new NewMessage[count];
        for (int i = 0; i < count; i++)
        {
            int conv = PickConversation();
            int[] members = _members[conv];
            int[] recipients = DistinctSample(members.Length, _random.Next(2, 5));
            var userIds = new string[recipients.Length];
            for (int r = 0; r < recipients.Length; r++)
            {
                userIds[r] = UserId(members[recipients[r]]);
            }

            uint sender = (uint)members[_random.Next(members.Length)];
            messages[i] = new NewMessage(ConvIds[conv], sender, NextBody(), userIds);
        }

        return messages;
    }

    /// <summary>A random body of 60 to 260 bytes, sliced from a shared pool of chat-like text.</summary>
    public ReadOnlyMemory<byte> NextBody()
    {
        int length = _random.Next(MinBodyBytes, MaxBodyBytes + 1);
        return _bodyPool.AsMemory(_random.Next(BodyPoolBytes - length), length);
    }

    /// <summary>
    /// Fills <paramref name="pool"/> with text shaped like chat: words from a 4,000-word vocabulary of made-up words drawn
    /// with Zipf frequencies (as words are in real text), so compression sees what it would see in a chat backend.
    /// </summary>
    private static void FillWithText(byte[] pool, Random random)
    {
        const int VocabularySize = 4000;
        var vocabulary = new byte[VocabularySize][];
        var cumulative = new double[VocabularySize];
        double total = 0;
        for (int w = 0; w < VocabularySize; w++)
        {
            var word = new byte[random.Next(1, 10)];
            for (int i = 0; i < word.Length; i++)
            {
                word[i] = (byte)('a' + random.Next(26));
            }

            vocabulary[w] = word;
            total += 1.0 / (w + 1);
            cumulative[w] = total;
        }

        int position = 0;
        while (position < pool.Length)
        {
            int index = Array.BinarySearch(cumulative, random.NextDouble() * total);
            byte[] word = vocabulary[Math.Min(index < 0 ? ~index : index, VocabularySize - 1)];
            int length = Math.Min(word.Length, pool.Length - position);
            word.AsSpan(0, length).CopyTo(pool.AsSpan(position));
            position += length;
            if (position < pool.Length)
            {
                pool[position++] = random.Next(12) == 0 ? (byte)'.' : (byte)' ';
            }
        }
    }

    private int PickConversation()
    {
        int index = Array.BinarySearch(_cumulativeWeights, _random.NextDouble() * _cumulativeWeights[^1]);
        return Math.Min(index < 0 ? ~index : index, _cumulativeWeights.Length - 1);
    }

    private int[] DistinctSample(int population, int count)
    {
        var picked = new HashSet<int>();
        while (picked.Count < Math.Min(count, population))
        {
            picked.Add(_random.Next(population));
        }

        return [.. picked];
    }
}
