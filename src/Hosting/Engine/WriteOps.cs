namespace BlockStore.Engine;

/// <summary>A request to the writer loop.</summary>
internal abstract class WriteOp
{
    public abstract void Fail(Exception error);
}

/// <summary>A write request whose caller awaits a result.</summary>
internal abstract class WriteOp<TResult> : WriteOp
{
    private readonly TaskCompletionSource<TResult> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<TResult> Task => _done.Task;

    public void Complete(TResult result) => _done.TrySetResult(result);

    public override void Fail(Exception error) => _done.TrySetException(error);
}

/// <summary>Messages to append in one group commit (a single message or a whole batch).</summary>
/// <remarks>A message whose idempotency key was already used is completed as null; the caller resolves it (<see cref="StoreEngine.ResolveDuplicatesAsync"/>).</remarks>
internal class AppendOp(PendingMessage[] messages, bool isBatch) : WriteOp<Message[]>
{
    public PendingMessage[] Messages { get; } = messages;

    /// <summary>Whether the messages came from <see cref="IMessageStore.AddMessagesAsync"/> (errors then name <c>batch</c>).</summary>
    public bool IsBatch { get; } = isBatch;

    /// <summary>How many messages repeat an idempotency key and were not stored again.</summary>
    public int Duplicates { get; set; }

    /// <summary>Set when the writer refused the request before writing any of it.</summary>
    public bool Refused { get; set; }

    /// <summary>The bytes these messages take in a journal record.</summary>
    public long JournalSize
    {
        get
        {
            long size = 0;
            foreach (PendingMessage message in Messages)
            {
                size += message.JournalSize;
            }

            return size;
        }
    }
}

/// <summary>An edit or delete of one message: the writer checks the target and turns <see cref="Request"/> into the event it appends.</summary>
internal sealed class LifecycleOp(PendingMessage request) : AppendOp([request], isBatch: false)
{
    /// <summary>The caller's request: conversation, kind, target SeqId and (for an edit) the new body.</summary>
    public PendingMessage Request { get; } = request;
}

/// <summary>A checkpoint to move forward.</summary>
internal sealed class CheckpointOp(string userId, long seqId) : WriteOp<bool>
{
    public string UserId { get; } = userId;

    public long SeqId { get; } = seqId;
}

/// <summary>A timeline to create and register.</summary>
internal sealed class CreateTimelineOp(TimelineKind kind, string id) : WriteOp<TimelineInfo>
{
    public TimelineKind Kind { get; } = kind;

    public string Id { get; } = id;
}

/// <summary>Completes once every request queued before it is durable.</summary>
internal sealed class FlushOp : WriteOp<bool>;

/// <summary>A periodic wake-up so that idle open blocks are sealed even when no write arrives.</summary>
internal sealed class MaintenanceOp : WriteOp
{
    public static readonly MaintenanceOp Instance = new();

    public override void Fail(Exception error)
    {
    }
}

/// <summary>Asks the writer to evict cold timelines because readers pushed the working set past its budget.</summary>
internal sealed class TrimWorkingSetOp : WriteOp
{
    public static readonly TrimWorkingSetOp Instance = new();

    public override void Fail(Exception error)
    {
    }
}

/// <summary>Checks the journal against the timelines while no write runs.</summary>
internal sealed class VerifyJournalOp : WriteOp<(long Records, List<VerificationProblem> Problems)>;

/// <summary>A user's read marker in one conversation to move forward.</summary>
internal sealed class ReadMarkerOp(string userId, string convId, long seqId) : WriteOp<bool>
{
    public string UserId { get; } = userId;

    public string ConvId { get; } = convId;

    public long SeqId { get; } = seqId;
}

/// <summary>Copies the data set into a directory while no write runs.</summary>
internal sealed class BackupOp(string destination, CancellationToken cancellationToken) : WriteOp<bool>
{
    public string Destination { get; } = destination;

    public CancellationToken CancellationToken { get; } = cancellationToken;
}

/// <summary>An erasure or retention rule to journal and put in force (conversation or user delete, sender erasure, retention).</summary>
internal sealed class RuleOp(RuleKind kind, string id, uint senderId, long maxAgeMs) : WriteOp<bool>
{
    public RuleKind Kind { get; } = kind;

    /// <summary>The conversation or user id; empty for a sender erasure.</summary>
    public string Id { get; } = id;

    public uint SenderId { get; } = senderId;

    /// <summary>For a retention: the age in milliseconds, 0 for the default.</summary>
    public long MaxAgeMs { get; } = maxAgeMs;
}

/// <summary>Runs an engine call inside a writer turn, after the turn's writes: the steps of a compaction, and tests reaching writer-side steps.</summary>
internal sealed class WriterCallOp(Func<StoreEngine, Task> call) : WriteOp<bool>
{
    public Func<StoreEngine, Task> Call { get; } = call;
}
