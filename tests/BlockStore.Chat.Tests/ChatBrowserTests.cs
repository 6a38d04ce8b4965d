using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BlockStore.Chat.Tests;

/// <summary>Drives the chat sample in headless Chromium as its users would, and asserts what they see.</summary>
public sealed partial class ChatBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private RunningChat _chat = null!;

    public async Task InitializeAsync()
    {
        SetDefaultExpectTimeout(15_000);
        _chat = await RunningChat.StartAsync();
    }

    public async Task DisposeAsync() => await _chat.DisposeAsync();

    [Fact]
    public async Task Two_users_in_two_browsers_exchange_messages_live()
    {
        RunningChat.UserDto[] users = await _chat.UsersAsync();
        string conv = $"dm-{users[0].Id}-{users[1].Id}";
        IPage first = await OpenAsync(users[0].Id);
        IPage second = await OpenAsync(users[1].Id);
        await OpenConversationAsync(first, conv);
        await OpenConversationAsync(second, conv);

        await SendAsync(first, "Are you coming to the demo?");
        await Expect(Messages(second).Last).ToContainTextAsync("Are you coming to the demo?");
        await SendAsync(second, "On my way!");
        await Expect(Messages(first).Last).ToContainTextAsync("On my way!");
        await Expect(Messages(first).Last).Not.ToHaveClassAsync("mine");
        await Expect(Messages(second).Last).ToHaveClassAsync("mine");

        // Both see the same conversation, each message once, in the store's order.
        string[] expected = [.. (await _chat.HistoryAsync(conv)).Select(m => m.Text)];
        Assert.Equal(expected, await TextsAsync(first));
        Assert.Equal(expected, await TextsAsync(second));
        await ScreenshotAsync(first, "live-exchange-sender");
        await ScreenshotAsync(second, "live-exchange-receiver");

        // Bad input comes back as a problem naming the field, shown to the user.
        await first.Locator("#text").FillAsync("   ");
        await first.Locator("#composer button").ClickAsync();
        await Expect(first.Locator("#error")).ToContainTextAsync("text:");
        await ScreenshotAsync(first, "bad-input");
    }

    [Fact]
    public async Task A_third_user_opens_the_group_later_and_pages_back_through_the_whole_history()
    {
        RunningChat.UserDto[] users = await _chat.UsersAsync();
        for (int i = 0; i < 12; i++)
        {
            await _chat.SendAsync("team", users[i % 2].Id, $"Earlier note {i}");
        }

        ChatMessageDto[] history = await _chat.HistoryAsync("team");
        Assert.True(history.Length > 40, "the seeded team conversation spans several pages");
        IPage third = await OpenAsync(users[2].Id);
        await OpenConversationAsync(third, "team");
        await Expect(Messages(third)).ToHaveCountAsync(20);
        await ScreenshotAsync(third, "history-first-page");

        // Scrolling to the top loads the next older page, until the beginning of the conversation shows.
        int pages = 1;
        while (!await third.Locator("#history-start").IsVisibleAsync())
        {
            int before = await Messages(third).CountAsync();
            await third.Locator("#history").EvaluateAsync("pane => pane.scrollTop = 0");
            await Expect(Messages(third)).Not.ToHaveCountAsync(before);
            pages++;
        }

        await Expect(third.Locator("#history-start")).ToBeVisibleAsync();
        Assert.True(pages >= 3, $"paged {pages} times");
        Assert.Equal(history.Select(m => m.SeqId.ToString(CultureInfo.InvariantCulture)), await SeqIdsAsync(third));
        Assert.Equal(history.Select(m => m.Text), await TextsAsync(third));
        await ScreenshotAsync(third, "history-beginning");
    }

    [Fact]
    public async Task A_page_reload_restores_history_and_unread_counts()
    {
        RunningChat.UserDto[] users = await _chat.UsersAsync();
        IPage page = await OpenAsync(users[0].Id);
        await OpenConversationAsync(page, "team");
        string[] teamBefore = await TextsAsync(page);
        int unreadBefore = await _chat.UnreadAsync(users[0].Id, "weekend");

        for (int i = 0; i < 3; i++)
        {
            await _chat.SendAsync("weekend", users[1 + (i % 2)].Id, $"Weekend idea {i}");
        }

        string unread = (unreadBefore + 3).ToString(CultureInfo.InvariantCulture);
        await Expect(Unread(page, "weekend")).ToHaveTextAsync(unread);
        await Expect(page.Locator("#conversations li").First).ToHaveAttributeAsync("data-conv", "weekend");
        string[] countsBefore = await UnreadCountsAsync(page);
        await ScreenshotAsync(page, "unread-before-reload");

        await page.ReloadAsync();
        await Expect(page.Locator("#status")).ToHaveTextAsync("live");
        await Expect(page.Locator("#conversation-title")).ToHaveTextAsync("Team");
        await Expect(Messages(page)).ToHaveCountAsync(teamBefore.Length);
        Assert.Equal(teamBefore, await TextsAsync(page));
        await Expect(Unread(page, "weekend")).ToHaveTextAsync(unread);
        Assert.Equal(countsBefore, await UnreadCountsAsync(page));
        await ScreenshotAsync(page, "after-reload");

        // Reading the conversation clears its count, and that survives a reload too.
        await OpenConversationAsync(page, "weekend");
        await Expect(Unread(page, "weekend")).ToHaveTextAsync("0");
        await page.ReloadAsync();
        await Expect(Messages(page).Last).ToContainTextAsync("Weekend idea 2");
        await Expect(Unread(page, "weekend")).ToHaveTextAsync("0");
    }

    [Fact]
    public async Task A_user_who_was_offline_catches_up_in_order()
    {
        RunningChat.UserDto[] users = await _chat.UsersAsync();
        IPage page = await OpenAsync(users[0].Id);
        await OpenConversationAsync(page, "team");
        await Expect(Messages(page).Last).ToBeVisibleAsync();
        string direct = $"dm-{users[0].Id}-{users[1].Id}";
        int directUnread = await _chat.UnreadAsync(users[0].Id, direct);
        int laterUnread = await _chat.UnreadAsync(users[3].Id, "team");

        // The connection drops: messages written meanwhile arrive after the reconnect, in order and once each.
        await page.Locator("#toggle-connection").ClickAsync();
        await Expect(page.Locator("#status")).ToHaveTextAsync("offline");
        var sent = new List<ChatMessageDto>();
        for (int i = 0; i < 6; i++)
        {
            sent.Add(i % 3 == 2
                ? await _chat.SendAsync(direct, users[1].Id, $"While you were away {i}")
                : await _chat.SendAsync("team", users[1 + (i % 2)].Id, $"While you were away {i}"));
        }

        await Task.Delay(300);
        Assert.DoesNotContain("While you were away 0", await TextsAsync(page));
        await ScreenshotAsync(page, "offline");

        await page.Locator("#toggle-connection").ClickAsync();
        await Expect(page.Locator("#status")).ToHaveTextAsync("live");
        await Expect(Messages(page).Last).ToContainTextAsync("While you were away 4");
        string[] shown = await TextsAsync(page);
        string[] stored = [.. (await _chat.HistoryAsync("team")).Select(m => m.Text)];
        Assert.Equal(stored[^shown.Length..], shown);
        Assert.Equal(sent.Where(m => m.ConvId == "team").Select(m => m.Text), shown[^4..]);
        await Expect(Unread(page, direct)).ToHaveTextAsync((directUnread + 2).ToString(CultureInfo.InvariantCulture));
        await ScreenshotAsync(page, "caught-up-after-reconnect");

        // A user who had no page open at all finds the same messages waiting, counted as unread, in order.
        IPage later = await OpenAsync(users[3].Id);
        await Expect(Unread(later, "team")).ToHaveTextAsync((laterUnread + 4).ToString(CultureInfo.InvariantCulture));
        await OpenConversationAsync(later, "team");
        string[] texts = await TextsAsync(later);
        Assert.Equal(sent.Where(m => m.ConvId == "team").Select(m => m.Text), texts[^4..]);
        await ScreenshotAsync(later, "offline-user-caught-up");
    }

    private async Task<IPage> OpenAsync(string userId)
    {
        IBrowserContext context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 760 } });
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(_chat.PageFor(userId));
        await Expect(page.Locator("#status")).ToHaveTextAsync("live");
        return page;
    }

    private static async Task OpenConversationAsync(IPage page, string convId)
    {
        await page.Locator($"#conversations li[data-conv='{convId}'] button").ClickAsync();
        await Expect(page.Locator($"#conversations li[data-conv='{convId}']")).ToHaveClassAsync(OpenClass());
        await Expect(Messages(page).First).ToBeVisibleAsync();
    }

    private static async Task SendAsync(IPage page, string text)
    {
        await page.Locator("#text").FillAsync(text);
        await page.Locator("#text").PressAsync("Enter");
        await Expect(page.Locator("#text")).ToHaveValueAsync("");
    }

    private static ILocator Messages(IPage page) => page.Locator("#messages li");

    private static ILocator Unread(IPage page, string convId) => page.Locator($"#conversations li[data-conv='{convId}'] .unread");

    private static Task<string[]> TextsAsync(IPage page) =>
        page.Locator("#messages li .text").EvaluateAllAsync<string[]>("items => items.map(i => i.textContent)");

    private static Task<string[]> SeqIdsAsync(IPage page) =>
        page.Locator("#messages li").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.seq)");

    private static Task<string[]> UnreadCountsAsync(IPage page) =>
        page.Locator("#conversations li").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.conv + '=' + i.querySelector('.unread').textContent)");

    private static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, $"{name}.png") });

    [GeneratedRegex(@"\bopen\b")]
    private static partial Regex OpenClass();
}
