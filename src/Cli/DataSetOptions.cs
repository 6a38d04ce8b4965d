using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BlockStore.Cli;

/// <summary>
/// The options every command shares to find its data set, read through the library's own configuration keys
/// (<c>BlockStore:*</c>): appsettings.json in the current directory, then environment variables, then these options.
/// </summary>
internal sealed class DataSetOptions
{
    private readonly Option<string?> _provider = new("--provider")
    {
        Description = "The provider: Sqlite (the default), File or Postgres. [BlockStore:Provider]",
    };

    private readonly Option<string?> _dataDir = new("--data-dir", "-d")
    {
        Description = "The data set's directory (Sqlite, File). [BlockStore:DataDir]",
    };

    private readonly Option<string?> _connectionString = new("--connection-string")
    {
        Description = "The provider's connection string (Postgres; or a SQLite database elsewhere). [BlockStore:<Provider>:ConnectionString]",
    };

    private readonly Option<string?> _dataSet = new("--data-set")
    {
        Description = "The data set's name in a shared database (Postgres). [BlockStore:DataSet]",
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_provider);
        command.Options.Add(_dataDir);
        command.Options.Add(_connectionString);
        command.Options.Add(_dataSet);
    }

    /// <summary>
    /// Opens the data set the options and configuration describe, runs <paramref name="body"/> on it and closes it, turning
    /// failures into a message on stderr and an exit code.
    /// </summary>
    /// <param name="parsed">The parsed command line.</param>
    /// <param name="mustExist">Whether a directory-based data set must exist already (every command but import).</param>
    /// <param name="body">The command's work; returns the exit code.</param>
    /// <param name="cancellationToken">Cancelled by Ctrl+C.</param>
    public async Task<int> RunAsync(ParseResult parsed, bool mustExist, Func<MessageStore, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            IConfiguration configuration = BuildConfiguration(parsed);
            IConfigurationSection section = configuration.GetSection(BlockStoreOptions.SectionName);
            if (mustExist && DataDirOf(section) is { } dataDir && !Directory.Exists(dataDir))
            {
                return Usage($"No data set at '{Path.GetFullPath(dataDir)}' (--data-dir, BlockStore:DataDir); only 'import' creates one.");
            }

            var services = new ServiceCollection();
            services.AddBlockStore(section).AddFileSystemProvider().AddPostgresProvider();
            await using ServiceProvider provider = services.BuildServiceProvider();
            MessageStore store = provider.GetRequiredService<MessageStore>();
            await store.OpenAsync(cancellationToken);
            return await body(store, cancellationToken);
        }
        catch (OptionsValidationException ex)
        {
            return Usage(ex.Message);
        }
        catch (StoreLockedException ex)
        {
            return Problem(ex.Message);
        }
        catch (BlockStoreException ex)
        {
            return Problem(ex.InnerException is null ? ex.Message : $"{ex.Message} {ex.InnerException.Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return Problem(ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Problem("Cancelled.");
        }
    }

    /// <summary>Writes <paramref name="message"/> to stderr and returns <see cref="ExitCodes.Problem"/>.</summary>
    public static int Problem(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return ExitCodes.Problem;
    }

    /// <summary>Writes <paramref name="message"/> to stderr and returns <see cref="ExitCodes.Usage"/>.</summary>
    public static int Usage(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return ExitCodes.Usage;
    }

    private IConfiguration BuildConfiguration(ParseResult parsed)
    {
        var overrides = new Dictionary<string, string?>();
        string section = BlockStoreOptions.SectionName;
        string? provider = parsed.GetValue(_provider);
        if (provider is not null)
        {
            overrides[$"{section}:{nameof(BlockStoreOptions.Provider)}"] = provider;
        }

        if (parsed.GetValue(_dataDir) is { } dataDir)
        {
            overrides[$"{section}:{nameof(BlockStoreOptions.DataDir)}"] = dataDir;
        }

        if (parsed.GetValue(_dataSet) is { } dataSet)
        {
            overrides[$"{section}:{nameof(BlockStoreOptions.DataSet)}"] = dataSet;
        }

        IConfigurationRoot files = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides)
            .Build();
        if (parsed.GetValue(_connectionString) is not { } connectionString)
        {
            return files;
        }

        // The connection string belongs to the provider's own sub-section, so it is placed once the provider is known.
        string chosen = files[$"{section}:{nameof(BlockStoreOptions.Provider)}"] is { Length: > 0 } configured ? configured : "Sqlite";
        return new ConfigurationBuilder()
            .AddConfiguration(files)
            .AddInMemoryCollection([new($"{section}:{chosen}:ConnectionString", connectionString)])
            .Build();
    }

    /// <summary>The DataDir of a provider that keeps its data set in one (Sqlite without a connection string, File), else null.</summary>
    private static string? DataDirOf(IConfigurationSection section)
    {
        string provider = section[nameof(BlockStoreOptions.Provider)] is { Length: > 0 } name ? name : "Sqlite";
        bool inDataDir = provider.Equals("File", StringComparison.OrdinalIgnoreCase)
            || (provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase) && string.IsNullOrEmpty(section["Sqlite:ConnectionString"]));
        return inDataDir ? section[nameof(BlockStoreOptions.DataDir)] ?? new BlockStoreOptions().DataDir : null;
    }
}
