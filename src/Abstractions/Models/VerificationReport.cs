namespace BlockStore;

/// <summary>The result of <see cref="IMessageStore.VerifyAsync"/>: what was checked and every problem found.</summary>
/// <param name="TimelinesChecked">How many timelines were walked.</param>
/// <param name="BlocksChecked">How many sealed blocks were read and decoded.</param>
/// <param name="BytesChecked">How many block bytes were read.</param>
/// <param name="JournalRecordsChecked">How many journal records were read and decoded.</param>
/// <param name="Problems">Every problem found; empty when the data set is healthy.</param>
public sealed record VerificationReport(
    long TimelinesChecked,
    long BlocksChecked,
    long BytesChecked,
    long JournalRecordsChecked,
    IReadOnlyList<VerificationProblem> Problems)
{
    /// <summary>True when no problem was found.</summary>
    public bool IsHealthy => Problems.Count == 0;
}

/// <summary>One problem found by verification, with where it is when known.</summary>
/// <param name="Description">What is wrong.</param>
/// <param name="StoreId">The store of the damaged block, if a block is concerned.</param>
/// <param name="Offset">The offset of the damaged block, if a block is concerned.</param>
/// <param name="Kind">The kind of the timeline concerned, if any.</param>
/// <param name="TimelineId">The id of the timeline concerned, if any.</param>
public sealed record VerificationProblem(string Description, long? StoreId = null, long? Offset = null, TimelineKind? Kind = null, string? TimelineId = null);
