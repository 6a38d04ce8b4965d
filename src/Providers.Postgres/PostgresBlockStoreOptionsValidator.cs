using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace BlockStore.Providers.Postgres;

/// <summary>
/// Validates <see cref="PostgresBlockStoreOptions"/> once, when the PostgreSQL provider is the one selected (an app that ships the
/// provider but runs on another has nothing to configure for it); every failure names its key under the section the options were bound from.
/// </summary>
/// <param name="sectionPath">The configuration path of the bound section, e.g. <c>BlockStore:Postgres</c>.</param>
/// <param name="isSelected">Whether the PostgreSQL provider is the one <c>BlockStore:Provider</c> selects; null when it is selected in code.</param>
internal sealed partial class PostgresBlockStoreOptionsValidator(string sectionPath, Func<bool>? isSelected = null) : IValidateOptions<PostgresBlockStoreOptions>
{
    /// <summary>The section the options bind from by convention.</summary>
    public const string DefaultSectionPath = BlockStoreOptions.SectionName + ":Postgres";

    /// <summary>The validator for options bound from the conventional section, or set in code.</summary>
    public static readonly PostgresBlockStoreOptionsValidator Default = new(DefaultSectionPath);

    private static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

    /// <summary>Refuses settings the provider cannot work with, naming the key.</summary>
    public ValidateOptionsResult Validate(string? name, PostgresBlockStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (isSelected is not null && !isSelected())
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        string prefix = sectionPath + ":";
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add($"{prefix}{nameof(options.ConnectionString)} must be set to the connection string of a PostgreSQL database.");
        }

        if (options.Schema is null || !SchemaName().IsMatch(options.Schema))
        {
            failures.Add($"{prefix}{nameof(options.Schema)} must be a lower-case identifier of 1 to 63 letters, digits and underscores (was '{options.Schema}').");
        }

        if (options.LeaseWaitTimeout is { } wait && (wait < TimeSpan.Zero || wait > MaxWait))
        {
            failures.Add($"{prefix}{nameof(options.LeaseWaitTimeout)} must be between {TimeSpan.Zero} and {MaxWait} (was {wait}).");
        }

        if (options.LeaseDuration < TimeSpan.FromMilliseconds(500) || options.LeaseDuration > TimeSpan.FromHours(1))
        {
            failures.Add($"{prefix}{nameof(options.LeaseDuration)} must be between 00:00:00.5 and 01:00:00 (was {options.LeaseDuration}).");
        }

        if (options.LeaseRenewInterval <= TimeSpan.Zero || options.LeaseRenewInterval * 2 > options.LeaseDuration)
        {
            failures.Add(
                $"{prefix}{nameof(options.LeaseRenewInterval)} must be positive and at most half of {prefix}{nameof(options.LeaseDuration)} " +
                $"(was {options.LeaseRenewInterval} with {options.LeaseDuration}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    internal static partial Regex SchemaName();
}
