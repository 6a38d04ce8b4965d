using Microsoft.Extensions.Options;

namespace BlockStore.Chat;

/// <summary>Builds the chat web app: BlockStore, the directory of users and conversations, the API, the hub and the pages.</summary>
public static class ChatApp
{
    /// <summary>Builds the app from command-line <paramref name="args"/> (e.g. <c>--urls</c>, <c>--BlockStore:DataDir</c>); call <c>RunAsync</c> or <c>StartAsync</c> on it.</summary>
    public static WebApplication CreateApp(string[] args)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,

            // The pages and appsettings.json sit beside the binary, whatever the working directory is.
            ContentRootPath = AppContext.BaseDirectory,
        });

        IConfigurationSection blockStore = builder.Configuration.GetSection(BlockStoreOptions.SectionName);
        builder.Services.AddBlockStore(blockStore);

        // A relative DataDir lives under the app's folder, not wherever the app was started from.
        builder.Services.PostConfigure<BlockStoreOptions>(options =>
            options.DataDir = Path.GetFullPath(options.DataDir, builder.Environment.ContentRootPath));
        builder.Services.AddOptions<ChatOptions>().Bind(builder.Configuration.GetSection(ChatOptions.SectionName));

        builder.Services.AddSingleton<ChatDirectory>();
        builder.Services.AddHostedService<ChatSeeder>();

        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ArgumentExceptionHandler>();
        builder.Services.AddSignalR();

        WebApplication app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapChatApi();
        app.MapHub<ChatHub>("/hub");
        return app;
    }

    /// <summary>The directory of the data set the app was configured with.</summary>
    public static string DataDir(this WebApplication app) => app.Services.GetRequiredService<IOptions<BlockStoreOptions>>().Value.DataDir;
}
