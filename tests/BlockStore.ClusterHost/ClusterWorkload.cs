using System.Globalization;
using System.Text;

namespace BlockStore.ClusterHost;

/// <summary>What the cluster test's writers write, so that the test can tell from any stored body where it belongs and who receives it.</summary>
public static class ClusterWorkload
{
    /// <summary>The cluster id (and service id) the test's silos and client share.</summary>
    public const string ClusterId = "blockstore-test";

    /// <summary>How many data sets the writers spread over.</summary>
    public const int DataSets = 50;

    /// <summary>Conversations per data set.</summary>
    public const int Conversations = 4;

    /// <summary>The id of data set <paramref name="index"/>.</summary>
    public static string DataSetOf(int index) => $"tenant-{index:D2}";

    /// <summary>The body (also the idempotency key) of message <paramref name="i"/> of writer <paramref name="writer"/> of silo <paramref name="silo"/>.</summary>
    public static string KeyOf(int silo, int writer, int i) => $"s{silo}-w{writer}-i{i}";

    /// <summary>The data set a message goes to: writers of every silo cover every data set.</summary>
    public static int DataSetIndexOf(int silo, int writer, int i) => ((silo * 17) + (writer * 5) + i) % DataSets;

    /// <summary>The conversation a message goes to.</summary>
    public static string ConvOf(int i) => $"conv-{i % Conversations}";

    /// <summary>The recipients of a body: one user per conversation and one per writer, so user timelines interleave conversations.</summary>
    public static string[] UsersOf(string key)
    {
        string[] parts = key.Split('-');
        int i = int.Parse(parts[2].AsSpan(1), CultureInfo.InvariantCulture);
        return [$"member-{i % Conversations}", $"writer-{parts[0]}-{parts[1]}"];
    }

    /// <summary>The bytes of a body.</summary>
    public static byte[] DataOf(string key) => Encoding.UTF8.GetBytes(key);
}
