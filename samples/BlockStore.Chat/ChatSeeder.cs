using System.Text;
using Bogus;
using Microsoft.Extensions.Options;

namespace BlockStore.Chat;

/// <summary>On the first run, writes a few users, direct and group conversations and some history (Bogus, fixed seed); later runs load them.</summary>
internal sealed class ChatSeeder(IMessageStore store, ChatDirectory directory, IOptions<ChatOptions> options, ILogger<ChatSeeder> logger) : IHostedService
{
    /// <summary>Messages that stay unread per seeded conversation, so the first run shows some unread counts.</summary>
    private const int UnreadPerConversation = 2;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (directory.TryLoad())
        {
            return;
        }

        var faker = new Faker { Random = new Randomizer(options.Value.Seed) };
        var users = new List<ChatUser>();
        while (users.Count < 5)
        {
            string name = faker.Name.FirstName();
            string id = new([.. name.ToLowerInvariant().Where(char.IsAsciiLetter)]);
            if (id.Length > 0 && users.All(u => u.Id != id))
            {
                users.Add(new ChatUser(id, $"{name} {faker.Name.LastName()}", (uint)users.Count + 1));
            }
        }

        ChatConversation[] conversations =
        [
            new("team", "Team", [.. users.Select(u => u.Id)]),
            new("weekend", "Weekend plans", [users[0].Id, users[1].Id, users[2].Id]),
            Direct(users[0], users[1]),
            Direct(users[0], users[2]),
            Direct(users[1], users[2]),
            Direct(users[3], users[4]),
        ];

        var batch = new List<NewMessage>();
        foreach (ChatConversation conversation in conversations)
        {
            int count = conversation.Id == "team" ? options.Value.SeedMessages : 4;
            for (int i = 0; i < count; i++)
            {
                string senderId = faker.PickRandom(conversation.Members);
                ChatUser sender = users.First(u => u.Id == senderId);
                string text = faker.Random.Bool() ? faker.Hacker.Phrase() : faker.Lorem.Sentence();
                batch.Add(new NewMessage(conversation.Id, sender.Number, Encoding.UTF8.GetBytes(text), conversation.Members));
            }
        }

        IReadOnlyList<Message> stored = await store.AddMessagesAsync(batch, cancellationToken);
        directory.Save(users, conversations);
        foreach (ChatConversation conversation in conversations)
        {
            Message[] history = [.. stored.Where(m => m.ConvId == conversation.Id)];
            if (history.Length > UnreadPerConversation)
            {
                foreach (string member in conversation.Members)
                {
                    await store.UpdateReadMarkerAsync(member, conversation.Id, history[^(UnreadPerConversation + 1)].SeqId, cancellationToken);
                }
            }
        }

        logger.LogInformation("Seeded {Users} users, {Conversations} conversations and {Messages} messages.", users.Count, conversations.Length, stored.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static ChatConversation Direct(ChatUser a, ChatUser b) => new($"dm-{a.Id}-{b.Id}", null, [a.Id, b.Id]);
}
