using Microsoft.Extensions.Options;

namespace BlockStore.Providers.File;

/// <summary>Validates <see cref="FileBlockStoreOptions"/> once; every failure names its key under the section the options were bound from.</summary>
/// <param name="sectionPath">The configuration path of the bound section, e.g. <c>BlockStore:File</c>.</param>
internal sealed class FileBlockStoreOptionsValidator(string sectionPath) : IValidateOptions<FileBlockStoreOptions>
{
    /// <summary>The section the options bind from by convention.</summary>
    public const string DefaultSectionPath = BlockStoreOptions.SectionName + ":File";

    /// <summary>The validator for options bound from the conventional section, or set in code.</summary>
    public static readonly FileBlockStoreOptionsValidator Default = new(DefaultSectionPath);

    /// <summary>Refuses sizes the provider cannot work with, naming the key.</summary>
    public ValidateOptionsResult Validate(string? name, FileBlockStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Positive(failures, nameof(options.JournalSegmentBytes), options.JournalSegmentBytes);
        Positive(failures, nameof(options.SnapshotThresholdBytes), options.SnapshotThresholdBytes);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void Positive(List<string> failures, string key, long value)
    {
        if (value <= 0)
        {
            failures.Add($"{sectionPath}:{key} must be greater than 0 (was {value}).");
        }
    }
}
