using BlockStore.Tests.Providers.FileSystem;
using BlockStore.Tests.Providers.Postgres;
using BlockStore.Tests.Providers.Sqlite;

namespace BlockStore.Tests.DataSets;

/// <summary>Runs the data set contract through <see cref="MessageStoreFactory"/> on SQLite.</summary>
public sealed class SqliteDataSetTests() : DataSetContractTests(new SqliteFixture());

/// <summary>Runs the data set contract through <see cref="MessageStoreFactory"/> on the File provider.</summary>
public sealed class FileDataSetTests() : DataSetContractTests(new FileFixture());

/// <summary>Runs the data set contract through <see cref="MessageStoreFactory"/> on PostgreSQL (skipped, saying why, when it is not configured).</summary>
public sealed class PostgresDataSetTests() : DataSetContractTests(new PostgresFixture());
