namespace BlockStore.Providers;

/// <summary>Identifies a timeline: its kind and its conversation or user id.</summary>
/// <param name="Kind">Conversation or user.</param>
/// <param name="Id">The conversation or user id.</param>
public readonly record struct TimelineKey(TimelineKind Kind, string Id);
