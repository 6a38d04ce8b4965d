using BlockStore.Diagnostics;
using BlockStore.Engine;

namespace BlockStore;

/// <summary>The lifecycle members of <see cref="MessageStore"/>: edits and deletes, erasure, retention and compaction.</summary>
public sealed partial class MessageStore
{
    /// <inheritdoc />
    public Task<Message> EditMessageAsync(string convId, long seqId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        ChangeAsync(Guard.Change(convId, seqId, MessageKind.Edit, data, _options), "EditMessage", cancellationToken);

    /// <inheritdoc />
    public Task<Message> DeleteMessageAsync(string convId, long seqId, CancellationToken cancellationToken = default) =>
        ChangeAsync(Guard.Change(convId, seqId, MessageKind.Delete, ReadOnlyMemory<byte>.Empty, _options), "DeleteMessage", cancellationToken);

    private async Task<Message> ChangeAsync(PendingMessage request, string name, CancellationToken cancellationToken)
    {
        using Operation operation = _metrics.Start(name, _metrics.AppendDuration);
        operation.Activity?.SetTag(BlockStoreDiagnostics.ConvIdTag, request.ConvId);
        try
        {
            StoreEngine engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
            Message[] stored = await engine.Enqueue(new LifecycleOp(request)).WaitAsync(cancellationToken).ConfigureAwait(false);
            return stored[0];
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    /// <inheritdoc />
    public Task DeleteConversationAsync(string convId, CancellationToken cancellationToken = default)
    {
        Guard.Id(convId, nameof(convId));
        return SetRuleAsync(new RuleOp(RuleKind.ConversationDeleted, convId, 0, 0), "DeleteConversation", cancellationToken);
    }

    /// <inheritdoc />
    public Task DeleteUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        Guard.Id(userId, nameof(userId));
        return SetRuleAsync(new RuleOp(RuleKind.UserDeleted, userId, 0, 0), "DeleteUser", cancellationToken);
    }

    /// <inheritdoc />
    public Task EraseSenderAsync(uint senderId, CancellationToken cancellationToken = default) =>
        SetRuleAsync(new RuleOp(RuleKind.SenderErased, "", senderId, 0), "EraseSender", cancellationToken);

    /// <inheritdoc />
    public Task SetRetentionAsync(string convId, TimeSpan? maxAge, CancellationToken cancellationToken = default)
    {
        Guard.Id(convId, nameof(convId));
        long maxAgeMs = Guard.MaxAge(maxAge, nameof(maxAge));
        return SetRuleAsync(new RuleOp(RuleKind.Retention, convId, 0, maxAgeMs), "SetRetention", cancellationToken);
    }

    /// <inheritdoc />
    public async Task<CompactionReport> CompactAsync(CancellationToken cancellationToken = default)
    {
        using Operation operation = _metrics.Start("Compact", _metrics.AppendDuration);
        try
        {
            StoreEngine engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
            return await engine.CompactAsync(bytesPerSecond: 0, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }

    private async Task SetRuleAsync(RuleOp op, string name, CancellationToken cancellationToken)
    {
        using Operation operation = _metrics.Start(name, _metrics.AppendDuration);
        try
        {
            StoreEngine engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
            await engine.Enqueue(op).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            operation.Fail(ex);
            throw;
        }
    }
}
