using System.CommandLine;
using BlockStore.Cli;

RootCommand root = CliCommands.Create();
ParseResult parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (System.CommandLine.Parsing.ParseError error in parsed.Errors)
    {
        Console.Error.WriteLine($"error: {error.Message}");
    }

    Console.Error.WriteLine("Run 'blockstore --help' or 'blockstore <command> --help' for usage.");
    return ExitCodes.Usage;
}

return await parsed.InvokeAsync();
