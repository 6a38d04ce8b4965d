using BlockStore.Chat;

await ChatApp.CreateApp(args).RunAsync();
