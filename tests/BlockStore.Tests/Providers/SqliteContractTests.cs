using BlockStore.Tests.Contract;

namespace BlockStore.Tests.Providers;

public sealed class SqliteMessageFlowTests() : MessageFlowTests(new SqliteFixture());

public sealed class SqliteConversationReadTests() : ConversationReadTests(new SqliteFixture());

public sealed class SqliteUserTimelineTests() : UserTimelineTests(new SqliteFixture());

public sealed class SqliteCheckpointTests() : CheckpointTests(new SqliteFixture());

public sealed class SqliteInputValidationTests() : InputValidationTests(new SqliteFixture());

public sealed class SqliteHostileIdTests() : HostileIdTests(new SqliteFixture());

public sealed class SqlitePersistenceTests() : PersistenceTests(new SqliteFixture());

public sealed class SqliteStoreCapacityTests() : StoreCapacityTests(new SqliteFixture());

public sealed class SqliteLockTests() : LockTests(new SqliteFixture());

public sealed class SqliteConcurrencyTests() : ConcurrencyTests(new SqliteFixture());

public sealed class SqliteCrashTests() : Crash.CrashTests(new SqliteFixture());

public sealed class SqliteCorruptionTests() : CorruptionTests(new SqliteFixture());
