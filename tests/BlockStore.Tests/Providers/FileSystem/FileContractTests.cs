using BlockStore.Tests.Contract;

namespace BlockStore.Tests.Providers.FileSystem;

/// <summary>Runs the whole provider contract on the file-system provider.</summary>
public sealed class FileContractTests() : ContractTests(new FileFixture());
