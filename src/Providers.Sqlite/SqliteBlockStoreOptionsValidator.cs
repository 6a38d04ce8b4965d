using Microsoft.Extensions.Options;

namespace BlockStore.Providers.Sqlite;

/// <summary>Validates <see cref="SqliteBlockStoreOptions"/> once; every failure names its key under the section the options were bound from.</summary>
/// <param name="sectionPath">The configuration path of the bound section, e.g. <c>BlockStore:Sqlite</c>.</param>
internal sealed class SqliteBlockStoreOptionsValidator(string sectionPath) : IValidateOptions<SqliteBlockStoreOptions>
{
    /// <summary>The section the options bind from by convention.</summary>
    public const string DefaultSectionPath = BlockStoreOptions.SectionName + ":Sqlite";

    /// <summary>The largest page cache accepted, in KiB (4 GiB).</summary>
    public const int MaxPageCacheKib = 4 * 1024 * 1024;

    /// <summary>The validator for options bound from the conventional section, or set in code.</summary>
    public static readonly SqliteBlockStoreOptionsValidator Default = new(DefaultSectionPath);

    /// <summary>Refuses settings that SQLite would reject with an unclear error, naming the key.</summary>
    public ValidateOptionsResult Validate(string? name, SqliteBlockStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        string prefix = sectionPath + ":";
        if (options.ConnectionString is not { Length: > 0 }
            && (string.IsNullOrWhiteSpace(options.FileName) || options.FileName != Path.GetFileName(options.FileName)))
        {
            failures.Add($"{prefix}{nameof(options.FileName)} must be a file name inside DataDir, without directories (was '{options.FileName}').");
        }

        if (options.PageCacheKib is < 0 or > MaxPageCacheKib)
        {
            failures.Add($"{prefix}{nameof(options.PageCacheKib)} must be between 0 and {MaxPageCacheKib} (was {options.PageCacheKib}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
