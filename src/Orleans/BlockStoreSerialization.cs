using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace BlockStore.Orleans;

/// <summary>Lets Orleans carry BlockStore's models (messages, timelines, figures) as JSON, so the models need no Orleans attributes.</summary>
internal static class BlockStoreSerialization
{
    public static void Add(IServiceCollection services) => services.AddSerializer(serializer => serializer.AddJsonSerializer(isSupported: IsModel));

    /// <summary>The classes of the models' assembly, exceptions aside (Orleans carries those itself).</summary>
    private static bool IsModel(Type type) =>
        type.Assembly == typeof(Message).Assembly && type.IsClass && !typeof(Exception).IsAssignableFrom(type);
}
