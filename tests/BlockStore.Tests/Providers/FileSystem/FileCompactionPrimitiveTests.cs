using BlockStore.Tests.Contract;

namespace BlockStore.Tests.Providers.FileSystem;

/// <summary>Runs the compaction and erasure primitives on the file-system provider.</summary>
public sealed class FileCompactionPrimitiveTests() : CompactionPrimitiveTests(new FileFixture());
