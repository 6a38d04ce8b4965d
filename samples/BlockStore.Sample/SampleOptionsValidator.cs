using Microsoft.Extensions.Options;

namespace BlockStore.Sample;

/// <summary>Checks <see cref="SampleOptions"/> at start-up, with messages that name the bad key.</summary>
internal sealed class SampleOptionsValidator : IValidateOptions<SampleOptions>
{
    private const string Prefix = SampleOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, SampleOptions options)
    {
        var failures = new List<string>();
        if (options.Users < 3)
        {
            failures.Add($"{Prefix}{nameof(options.Users)} must be at least 3 (a group has 3 members); it is {options.Users}.");
        }

        if (options.Conversations < 1)
        {
            failures.Add($"{Prefix}{nameof(options.Conversations)} must be at least 1; it is {options.Conversations}.");
        }

        if (options.GroupShare is <= 0 or > 1)
        {
            failures.Add($"{Prefix}{nameof(options.GroupShare)} must be above 0 and at most 1, so there is a group; it is {options.GroupShare}.");
        }

        if (options.MaxGroupMembers < 3)
        {
            failures.Add($"{Prefix}{nameof(options.MaxGroupMembers)} must be at least 3; it is {options.MaxGroupMembers}.");
        }

        if (options.Messages < 1)
        {
            failures.Add($"{Prefix}{nameof(options.Messages)} must be at least 1; it is {options.Messages}.");
        }

        if (options.BatchSize < 1)
        {
            failures.Add($"{Prefix}{nameof(options.BatchSize)} must be at least 1; it is {options.BatchSize}.");
        }

        if (!SampleOptions.SupportedLocales.Contains(options.Locale))
        {
            failures.Add($"{Prefix}{nameof(options.Locale)} is '{options.Locale}'; the supported locales are {string.Join(", ", SampleOptions.SupportedLocales)}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
