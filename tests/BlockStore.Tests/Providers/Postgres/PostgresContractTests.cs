using BlockStore.Tests.Contract;

namespace BlockStore.Tests.Providers.Postgres;

/// <summary>Runs the whole provider contract on PostgreSQL (skipped, saying why, when <c>BLOCKSTORE_POSTGRES</c> is not set).</summary>
public sealed class PostgresContractTests() : ContractTests(new PostgresFixture());
