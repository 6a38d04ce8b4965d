using Bogus;

namespace BlockStore.Sample;

/// <summary>Chat in English: names from Bogus, lines built from its hacker, commerce, address and rant data.</summary>
internal sealed class EnglishPhrasebook : ChatPhrasebook
{
    private static readonly Func<Faker, string>[] Replies =
    [
        static _ => "ok",
        static _ => "ok 👍",
        static _ => "lol",
        static f => $"haha {Emoji(f)}",
        static _ => "thanks!",
        static _ => "sure",
        static _ => "brb",
        static _ => "on my way",
        static f => Emoji(f),
        static _ => "yes",
        static _ => "nope",
        static _ => "same",
        static _ => "+1",
        static f => Emoji(f) + Emoji(f),
    ];

    private static readonly Func<Faker, string, string>[] Templates =
    [
        static (f, m) => $"hey {m}, did you push the {f.Hacker.Abbreviation()} fix?",
        static (f, _) => $"the {f.Hacker.Adjective()} {f.Hacker.Noun()} is down again {Emoji(f)}",
        static (f, _) => $"can we move the {f.Hacker.Noun()} review to {f.Date.Weekday()}?",
        static (f, _) => $"who's up for lunch at {f.Random.Int(11, 13)}:{f.PickRandom("00", "15", "30", "45")}?",
        static (f, m) => $"{m} are you coming to {f.Address.City()} on {f.Date.Weekday()}?",
        static (f, _) => $"just {f.Hacker.IngVerb()} the {f.Hacker.Abbreviation()} {f.Hacker.Noun()}, give me {f.Random.Int(2, 20)} min",
        static (f, _) => f.Hacker.Phrase(),
        static (f, _) => $"anyone tried the new {f.Commerce.ProductName().ToLowerInvariant()}?",
        static (f, _) => $"running {f.Random.Int(5, 25)} min late, sorry {Emoji(f)}",
        static (f, _) => f.Rant.Review(),
        static (_, m) => $"merged, thanks {m} 🙏",
        static (f, _) => $"standup in {f.Random.Int(1, 10)} min",
        static (f, _) => $"did anyone else get the {f.Hacker.Abbreviation()} alert? {Emoji(f)}",
        static (f, m) => $"{m} can you {f.Hacker.Verb()} the {f.Hacker.Noun()} before {f.Date.Weekday()}?",
    ];

    public override string PersonName(Faker faker) => faker.Name.FullName();

    public override string GroupTitle(Faker faker) => faker.Random.Int(0, 4) switch
    {
        0 => $"{faker.Hacker.Abbreviation()} {faker.Hacker.Noun()} team",
        1 => $"{faker.Address.City()} friends",
        2 => $"{faker.Company.CompanyName()} project",
        3 => $"{faker.Music.Genre()} fans",
        _ => $"{faker.Commerce.Department()} deals",
    };

    protected override IList<Func<Faker, string>> ShortReplies => Replies;

    protected override IList<Func<Faker, string, string>> Sentences => Templates;

    protected override string Mention(ChatUser other) => $"@{other.Name.Split(' ')[0]}";
}
