using System.Security.Cryptography;
using System.Text;

namespace BlockStore.DataSets;

/// <summary>Names the subdirectory of a data set: a readable prefix of its id plus a hash of the whole id, so no id can name a path.</summary>
internal static class DataSetDirectory
{
    /// <summary>The directory under <see cref="BlockStoreOptions.DataDir"/> that holds the data sets of <see cref="IMessageStoreFactory"/>.</summary>
    public const string Root = "datasets";

    private const int ReadableChars = 32;

    /// <summary>The directory name of <paramref name="dataSetId"/>: up to 32 of its characters (ASCII letters and digits kept, lower-cased; others as <c>_</c>), a dash and 32 hex digits of its SHA-256.</summary>
    public static string NameOf(string dataSetId)
    {
        var name = new StringBuilder(ReadableChars + 33);
        foreach (char c in dataSetId)
        {
            if (name.Length == ReadableChars)
            {
                break;
            }

            name.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_');
        }

        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(dataSetId));
        return name.Append('-').Append(Convert.ToHexStringLower(hash, 0, 16)).ToString();
    }

    /// <summary>The full path of the data set's directory under <paramref name="dataDir"/>.</summary>
    public static string PathOf(string dataDir, string dataSetId) => Path.Combine(Path.GetFullPath(dataDir), Root, NameOf(dataSetId));
}
