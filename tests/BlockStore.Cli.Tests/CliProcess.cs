using System.Diagnostics;

namespace BlockStore.Cli.Tests;

/// <summary>Runs the built <c>blockstore</c> tool as a separate process, in a directory without configuration files.</summary>
internal static class CliProcess
{
    /// <summary>The tool's build output beside this test project's (same configuration and framework).</summary>
    private static readonly string ToolPath = Path.GetFullPath(Path.Combine(
        AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "Cli", "bin",
        new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, new DirectoryInfo(AppContext.BaseDirectory).Name, "BlockStore.Cli.dll"));

    public sealed record Result(int ExitCode, string Output, string Error);

    /// <summary>Runs <c>blockstore</c> with <paramref name="args"/> in <paramref name="workingDirectory"/> and waits for it to exit.</summary>
    public static async Task<Result> RunAsync(string workingDirectory, params string[] args)
    {
        Assert.True(File.Exists(ToolPath), $"the tool is not built at {ToolPath}");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ToolPath);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (string key in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("BlockStore__", StringComparison.OrdinalIgnoreCase)))
        {
            start.Environment.Remove(key);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"blockstore {string.Join(' ', args)} did not exit.");
        }

        return new Result(process.ExitCode, await output, await error);
    }
}
