namespace BlockStore.Engine;

internal sealed partial class StoreEngine
{
    private async Task ForgetInboxUserAsync(string userId) => await _session.Inbox.DeleteUserAsync(userId).ConfigureAwait(false);

    private async Task ForgetInboxConversationAsync(string convId) => await _session.Inbox.DeleteConversationAsync(convId).ConfigureAwait(false);
}
