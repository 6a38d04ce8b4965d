using System.Globalization;

namespace BlockStore.Benchmarks;

/// <summary>The sizes of the macro benchmark, from <c>macro [--messages N] [--quick]</c>.</summary>
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
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'. Usage: macro [--messages N (at least {BatchSize})] [--quick]");
            }
        }

        return quick
            ? new MacroSettings(messages ?? 100_000, 2_000, 20_000, 5_000, 200_000, 200_000, 3, true)
            : new MacroSettings(messages ?? 100_000, 5_000, 50_000, 20_000, 1_000_000, 1_000_000, 3, false);
    }
}
