using System.Diagnostics;
using System.Globalization;
using BlockStore.Tests.Contract;

namespace BlockStore.Tests.Support;

/// <summary>
/// The crash child (<c>BlockStore.CrashChild</c>) writing to a data set in a process of its own, each line it prints collected
/// as it arrives (<c>READY</c>, then <c>A seq round writer i</c> per acknowledgement and <c>C user seq</c> per checkpoint).
/// </summary>
internal sealed class CrashChildProcess : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Task _reading;

    private CrashChildProcess(Process process)
    {
        _process = process;
        _reading = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (_lines)
                {
                    _lines.Add(line);
                }
            }
        });
    }

    /// <summary>Whether the child has exited (killed, or failed to open the data set).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>A copy of the lines printed so far.</summary>
    public List<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>The SeqIds the child has acknowledged so far.</summary>
    public List<long> Acknowledged =>
        [.. Lines.Where(static l => l.StartsWith("A ", StringComparison.Ordinal)).Select(static l => long.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture))];

    /// <summary>Starts a child writing to the fixture's data set in <paramref name="dataDir"/> with <paramref name="writers"/> concurrent writers.</summary>
    public static CrashChildProcess Start(IProviderFixture fixture, Durability durability, string dataDir, int round, int writers) =>
        StartProgram("BlockStore.CrashChild", fixture.ChildEnvironment,
            fixture.Name, durability.ToString(), dataDir, round.ToString(CultureInfo.InvariantCulture), writers.ToString(CultureInfo.InvariantCulture));

    /// <summary>Starts another test program built beside the tests (such as <c>BlockStore.ClusterHost</c>) in a process of its own.</summary>
    public static CrashChildProcess StartProgram(string assemblyName, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return new CrashChildProcess(Process.Start(start)!);
    }

    /// <summary>Waits until the child has opened the data set and printed <c>READY</c>; fails with its error output when it exits first.</summary>
    public async Task WaitUntilReadyAsync()
    {
        await WaitAsync(lines => lines.Contains("READY"), stopWhenExited: true);
        if (!Lines.Contains("READY"))
        {
            Assert.Fail($"the child is not ready (exited: {HasExited}): {(HasExited ? await _process.StandardError.ReadToEndAsync() : "")}");
        }
    }

    /// <summary>Waits up to a minute for <paramref name="condition"/> over the lines printed so far; fails naming the first lines when it never holds.</summary>
    public async Task WaitForAsync(Func<List<string>, bool> condition)
    {
        await WaitAsync(condition, stopWhenExited: false);
        List<string> lines = Lines;
        Assert.True(condition(lines), $"the child did not get there (exited: {HasExited}): {string.Join(" | ", lines.Take(3))}");
    }

    /// <summary>Sends the child one line on its standard input.</summary>
    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Kills the child and its process tree (SIGKILL), waits for it to exit and returns every line it printed.</summary>
    /// <remarks>Each line reaches the pipe in one write of less than PIPE_BUF bytes, so a kill never leaves half a line.</remarks>
    public async Task<List<string>> KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        await _reading;
        return Lines;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private async Task WaitAsync(Func<List<string>, bool> condition, bool stopWhenExited)
    {
        var waited = Stopwatch.StartNew();
        while (!condition(Lines) && !(stopWhenExited && HasExited) && waited.Elapsed < Patience)
        {
            await Task.Delay(20);
        }
    }
}
