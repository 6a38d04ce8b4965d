using BlockStore.Tests.Contract;

namespace BlockStore.Tests.FileProvider;

public sealed class FileMessageFlowTests() : MessageFlowTests(new FileFixture());

public sealed class FileConversationReadTests() : ConversationReadTests(new FileFixture());

public sealed class FileUserTimelineTests() : UserTimelineTests(new FileFixture());

public sealed class FileCheckpointTests() : CheckpointTests(new FileFixture());

public sealed class FileInputValidationTests() : InputValidationTests(new FileFixture());

public sealed class FileHostileIdTests() : HostileIdTests(new FileFixture());

public sealed class FilePersistenceTests() : PersistenceTests(new FileFixture());

public sealed class FileStoreCapacityTests() : StoreCapacityTests(new FileFixture());

public sealed class FileLockTests() : LockTests(new FileFixture());

public sealed class FileConcurrencyTests() : ConcurrencyTests(new FileFixture());

public sealed class FileCrashTests() : BlockStore.Tests.Crash.CrashTests(new FileFixture());

public sealed class FileCorruptionTests() : CorruptionTests(new FileFixture());
