using BlockStore.Diagnostics;
using BlockStore.Engine;

namespace BlockStore;

/// <summary>The lifecycle members of <see cref="MessageStore"/>: edits and deletes.</summary>
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
}
