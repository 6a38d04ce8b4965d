using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace BlockStore.Chat.Tests;

/// <summary>Bad input from a client gets a 400 problem-details body naming the field, never a 500.</summary>
public sealed class ProblemDetailsTests : IAsyncLifetime
{
    private RunningChat _chat = null!;

    public async Task InitializeAsync() => _chat = await RunningChat.StartAsync();

    public async Task DisposeAsync() => await _chat.DisposeAsync();

    [Theory]
    [InlineData("api/conversations/team/messages?limit=0", "limit")]
    [InlineData("api/conversations/team/messages?limit=100000", "limit")]
    [InlineData("api/conversations/team/messages?beforeSeqId=-1", "beforeSeqId")]
    [InlineData("api/conversations/bad%01id/messages", "convId")]
    [InlineData("api/users/nobody/inbox", "userId")]
    [InlineData("api/users/%20/inbox", "userId")]
    public async Task Bad_reads_get_a_problem_naming_the_field(string path, string field)
    {
        await AssertProblemAsync(await _chat.Http.GetAsync(path), field);
    }

    [Fact]
    public async Task Bad_sends_and_read_marks_get_a_problem_naming_the_field()
    {
        RunningChat.UserDto[] users = await _chat.UsersAsync();
        await AssertProblemAsync(await _chat.Http.PostAsJsonAsync("api/conversations/team/messages", new { userId = users[0].Id, text = "" }), "text");
        await AssertProblemAsync(await _chat.Http.PostAsJsonAsync("api/conversations/team/messages", new { userId = "nobody", text = "hi" }), "userId");
        await AssertProblemAsync(await _chat.Http.PostAsJsonAsync("api/conversations/nowhere/messages", new { userId = users[0].Id, text = "hi" }), "convId");
        await AssertProblemAsync(await _chat.Http.PostAsJsonAsync($"api/conversations/dm-{users[3].Id}-{users[4].Id}/messages", new { userId = users[0].Id, text = "hi" }), "userId");
        await AssertProblemAsync(await _chat.Http.PostAsJsonAsync($"api/users/{users[0].Id}/conversations/team/read", new { seqId = -3 }), "seqId");
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), $"the problem names '{field}': {problem.RootElement}");
    }
}
