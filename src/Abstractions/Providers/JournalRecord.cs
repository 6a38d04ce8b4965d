namespace BlockStore.Providers;

/// <summary>One journal record: its id and the opaque payload the engine wrote.</summary>
/// <param name="Id">The record id, increasing along the journal.</param>
/// <param name="Payload">The bytes given to <see cref="ITimelineRepository.AppendJournalAsync"/>.</param>
public readonly record struct JournalRecord(long Id, ReadOnlyMemory<byte> Payload);
