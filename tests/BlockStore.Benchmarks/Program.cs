using BenchmarkDotNet.Running;
using BlockStore.Benchmarks;

if (args.Length > 0 && args[0] == "macro")
{
    return await MacroBenchmark.RunAsync(args);
}

if (args.Length > 0 && args[0] == "inbox")
{
    return await InboxBenchmark.RunAsync(args);
}

if (args.Length > 0 && args[0] == "lifecycle")
{
    return await LifecycleBenchmark.RunAsync(args);
}

if (args.Length > 0 && args[0] == "compaction")
{
    return await CompactionBenchmark.RunAsync(args);
}

if (args.Length > 0 && args[0] == "watches")
{
    return await WatchBenchmark.RunAsync(args);
}

if (args.Length > 0 && args[0] == "datasets")
{
    return await DataSetsBenchmark.RunAsync(args);
}

BenchmarkSwitcher.FromAssembly(typeof(MacroBenchmark).Assembly).Run(args);
return 0;
