using Bogus;

namespace BlockStore.Sample;

/// <summary>Chat in Chinese: names and cities from Bogus's zh_CN data, lines from everyday chat patterns and tech jargon.</summary>
internal sealed class ChinesePhrasebook : ChatPhrasebook
{
    private static readonly string[] Weekdays = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    private static readonly string[] Foods = ["火锅", "烧烤", "麻辣烫", "饺子", "拉面", "小龙虾", "烤鸭", "奶茶"];
    private static readonly string[] WorkThings = ["接口", "数据库", "测试环境", "需求文档", "周报", "发布", "报表", "服务器"];
    private static readonly string[] Hobbies = ["篮球", "羽毛球", "读书", "摄影", "跑步", "桌游", "钓鱼"];

    private static readonly Func<Faker, string>[] Replies =
    [
        static _ => "好的",
        static _ => "收到",
        static _ => "收到👌",
        static _ => "哈哈哈哈",
        static _ => "嗯嗯",
        static _ => "谢谢！",
        static _ => "在吗？",
        static _ => "+1",
        static f => Emoji(f),
        static _ => "辛苦了",
        static _ => "晚安🌙",
        static _ => "早上好☀️",
        static _ => "可以",
        static f => $"哈哈{Emoji(f)}",
    ];

    private static readonly Func<Faker, string, string>[] Templates =
    [
        static (f, m) => $"{m} 看一下{f.Hacker.Abbreviation()}的报警",
        static (f, _) => $"{f.Hacker.Abbreviation()}又挂了{Emoji(f)}",
        static (f, _) => $"我{f.Random.Int(5, 30)}分钟后到",
        static (f, _) => $"明天{f.Random.Int(9, 17)}点开会，别忘了",
        static (f, _) => $"{f.PickRandom(Weekdays)}一起吃{f.PickRandom(Foods)}吗？",
        static (f, _) => $"刚到{f.Address.City()}，好热{Emoji(f)}",
        static (f, m) => $"{m}，你那边{f.PickRandom(WorkThings)}弄好了吗？",
        static (f, _) => $"今晚加班吗{Emoji(f)}",
        static (_, _) => "发你了，查收一下",
        static (f, _) => $"{f.PickRandom(Weekdays)}去{f.Address.City()}玩吗？",
        static (_, m) => $"{m} 生日快乐🎂🎉",
        static (f, _) => $"{f.PickRandom(WorkThings)}我{f.PickRandom(Weekdays)}之前搞定",
        static (f, _) => $"等我一下，马上{Emoji(f)}",
        static (f, _) => $"{f.Random.Int(2, 12)}楼会议室，{f.Random.Int(1, 5)}点半",
    ];

    public override string PersonName(Faker faker) => faker.Name.LastName() + faker.Name.FirstName();

    public override string GroupTitle(Faker faker) => faker.Random.Int(0, 4) switch
    {
        0 => $"{faker.Address.City()}老乡群",
        1 => $"项目{faker.Random.Int(1, 9)}组",
        2 => $"{faker.Hacker.Abbreviation()}技术交流群",
        3 => $"{faker.PickRandom(Hobbies)}群",
        _ => $"{faker.Random.Int(2005, 2022)}届同学群",
    };

    protected override IList<Func<Faker, string>> ShortReplies => Replies;

    protected override IList<Func<Faker, string, string>> Sentences => Templates;

    protected override string Mention(ChatUser other) => $"@{other.Name}";
}
