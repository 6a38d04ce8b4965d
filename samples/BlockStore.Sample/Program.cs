using System.Text;
using BlockStore;
using BlockStore.Providers;
using BlockStore.Sample;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

Console.OutputEncoding = Encoding.UTF8;
try
{
    HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
    {
        Args = args,

        // appsettings.json is copied beside the binary; find it whatever the working directory is.
        ContentRootPath = AppContext.BaseDirectory,
    });
    builder.Services.AddBlockStore(builder.Configuration.GetSection(BlockStoreOptions.SectionName)).AddFileSystemProvider().AddPostgresProvider();
    builder.Services.AddOptions<SampleOptions>().Bind(builder.Configuration.GetSection(SampleOptions.SectionName)).ValidateOnStart();
    builder.Services.AddSingleton<IValidateOptions<SampleOptions>, SampleOptionsValidator>();
    builder.Services.AddSingleton<ChatDataGenerator>();
    builder.Services.AddSingleton<Seeder>();

    using IHost host = builder.Build();
    SampleOptions options = host.Services.GetRequiredService<IOptions<SampleOptions>>().Value;
    string dataDir = host.Services.GetRequiredService<IOptions<BlockStoreOptions>>().Value.DataDir;
    if (!options.KeepData)
    {
        DataDirectory.Reset(dataDir);
    }

    await host.StartAsync();
    CancellationToken stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
    IMessageStore store = host.Services.GetRequiredService<IMessageStore>();
    string provider = host.Services.GetRequiredService<IBlockStoreProvider>().Name;

    ChatDataGenerator generator = host.Services.GetRequiredService<ChatDataGenerator>();
    ChatWorld world = generator.CreateWorld();
    Console.WriteLine(
        $"BlockStore sample: {provider} provider at {Path.GetFullPath(dataDir)}; {world.Users.Count:N0} users, " +
        $"{world.Conversations.Count(static c => c.IsGroup):N0} groups and {world.Conversations.Count(static c => !c.IsGroup):N0} one-to-one chats, " +
        $"locale {options.Locale}, seed {options.Seed}");

    SeedResult seeded = await host.Services.GetRequiredService<Seeder>()
        .SeedAsync(generator.Messages(world), options.Messages, Console.Out, stopping);
    CompactionReport compaction = await new Flows(store, generator, world, Console.Out).RunAsync(seeded, stopping);
    StoreStats stats = await SummaryTable.PrintAsync(store, provider, dataDir, seeded, compaction, Console.Out, stopping);

    await host.StopAsync();

    // Disposing the host closes the data set, so its size is what it keeps at rest.
    host.Dispose();
    SummaryTable.PrintOnDisk(dataDir, stats, Console.Out);
    return 0;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("Cancelled.");
    return 130;
}
catch (OptionsValidationException ex)
{
    Console.Error.WriteLine($"Invalid configuration: {string.Join(" ", ex.Failures)}");
    return 2;
}
catch (Exception ex)
{
    Console.Error.WriteLine($"The sample failed: {ex}");
    return 1;
}
