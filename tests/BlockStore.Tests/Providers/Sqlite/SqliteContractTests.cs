using BlockStore.Tests.Contract;

namespace BlockStore.Tests.Providers.Sqlite;

/// <summary>Runs the whole provider contract on SQLite.</summary>
public sealed class SqliteContractTests() : ContractTests(new SqliteFixture());
