namespace BlockStore.Engine;

/// <summary>A durable write (journal, seal, checkpoint or timeline registration) that failed, and when.</summary>
/// <param name="At">When it failed (UTC).</param>
/// <param name="Exception">Why it failed.</param>
internal sealed record WriteFailure(DateTimeOffset At, Exception Exception);
