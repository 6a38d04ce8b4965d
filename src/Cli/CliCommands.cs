using System.CommandLine;
using BlockStore.Cli.Commands;

namespace BlockStore.Cli;

/// <summary>The command tree of the <c>blockstore</c> tool.</summary>
internal static class CliCommands
{
    public static RootCommand Create()
    {
        var root = new RootCommand(
            "Looks inside and maintains BlockStore data sets: statistics, verification, export and import as JSON Lines, tail, backup.\n" +
            "Settings come from appsettings.json in the current directory, then BlockStore__* environment variables, then the options.\n" +
            "Exit codes: 0 ok, 1 a problem was found (damage, a refused import, a data set held by another process), 2 bad usage.");
        root.Subcommands.Add(StatsCommand.Create());
        root.Subcommands.Add(VerifyCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(TailCommand.Create());
        root.Subcommands.Add(BackupCommand.Create());
        root.Subcommands.Add(CompactCommand.Create());
        root.Subcommands.Add(EraseCommand.Create());
        return root;
    }

    /// <summary>A command description with an example under it, as <c>--help</c> shows it.</summary>
    public static string Describe(string what, params string[] examples) =>
        $"{what}\n\nExample{(examples.Length > 1 ? "s" : "")}:\n  {string.Join("\n  ", examples)}";
}
