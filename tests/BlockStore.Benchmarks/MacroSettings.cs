using System.Globalization;

namespace BlockStore.Benchmarks;

/// <summary>The sizes and scenarios of the macro benchmark, from <c>macro [--messages N] [--timelines N] [--only throughput|reopen|memory|postgres] [--postgres CS] [--quick]</c>.</summary>
internal sealed record MacroSettings(
    int Messages,
    int ConcurrentMessages,
    int LatestReads,
    int UserReads,
    int ReopenMessages,
    int MemoryTimelines,
    int Rounds,
    bool Quick)
{
    /// <summary>The scenario groups to run (throughput, reopen, memory, postgres); all when null.</summary>
    public IReadOnlySet<string>? Only { get; init; }

    /// <summary>The PostgreSQL connection string from <c>--postgres</c>: when set, BlockStore on PostgreSQL runs (a)-(d) against the naive PostgreSQL schema too.</summary>
    public string? Postgres { get; init; }

    /// <summary>True when the scenario group <paramref name="name"/> runs.</summary>
    public bool Runs(string name) => Only is null || Only.Contains(name);

    public const int BatchSize = 500;
    public const int ConcurrentCallers = 16;
    public const int Conversations = 1_000;
    public const int Users = 10_000;
    public const int LatestPageSize = 20;
    public const int UserPageSize = 100;

    /// <summary>Parses the arguments after <c>macro</c>; unknown arguments are refused.</summary>
    public static MacroSettings Parse(IReadOnlyList<string> args)
    {
        bool quick = args.Contains("--quick");
        int? messages = null;
        int? timelines = null;
        HashSet<string>? only = null;
        string? postgres = null;
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    break;
                case "--messages" when i + 1 < args.Count && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= BatchSize:
                    messages = n;
                    i++;
                    break;
                case "--timelines" when i + 1 < args.Count && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int t) && t >= BatchSize * 10:
                    timelines = t;
                    i++;
                    break;
                case "--only" when i + 1 < args.Count && args[i + 1] is "throughput" or "reopen" or "memory" or "postgres":
                    (only ??= []).Add(args[i + 1]);
                    i++;
                    break;
                case "--postgres" when i + 1 < args.Count && args[i + 1].Length > 0:
                    postgres = args[i + 1];
                    i++;
                    break;
                default:
                    throw new ArgumentException(
                        $"Unknown argument '{args[i]}'. Usage: macro [--messages N (at least {BatchSize})] [--timelines N (at least {BatchSize * 10})] [--only throughput|reopen|memory|postgres]... [--postgres CONNECTION-STRING] [--quick]");
            }
        }

        MacroSettings settings = quick
            ? new MacroSettings(messages ?? 100_000, 2_000, 20_000, 5_000, 200_000, timelines ?? 200_000, 3, true)
            : new MacroSettings(messages ?? 100_000, 5_000, 50_000, 20_000, 1_000_000, timelines ?? 1_000_000, 3, false);
        return settings with { Only = only, Postgres = postgres };
    }
}
