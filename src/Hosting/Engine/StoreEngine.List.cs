using System.Runtime.CompilerServices;
using BlockStore.Providers;

namespace BlockStore.Engine;

/// <summary>Listing timelines for tools: the ones with unsealed entries (which the index may not know yet), then the index's.</summary>
internal sealed partial class StoreEngine
{
    public async IAsyncEnumerable<string> ListTimelinesAsync(TimelineKind kind, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Unsealed timelines are bounded by the journal, so remembering them to skip their second sighting stays bounded too.
        var unsealed = new HashSet<string>(StringComparer.Ordinal);
        IEnumerable<TimelineBase> loaded = kind == TimelineKind.Conversation ? _convs.Values : _users.Values;
        foreach (TimelineBase timeline in loaded)
        {
            if (timeline.HasUnsealed && unsealed.Add(timeline.Id))
            {
                yield return timeline.Id;
            }
        }

        await foreach (TimelineKey key in _session.Timelines.LoadTimelinesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (key.Kind == kind && !unsealed.Contains(key.Id))
            {
                yield return key.Id;
            }
        }
    }
}
