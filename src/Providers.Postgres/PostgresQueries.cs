namespace BlockStore.Providers.Postgres;

/// <summary>
/// Every SQL statement of the PostgreSQL provider, in one place, qualified with the configured schema and parameterised with
/// <c>@name</c>. Every table is keyed by the data set first, so one database holds many data sets.
/// </summary>
/// <param name="schema">The schema name, already validated as a plain lower-case identifier.</param>
internal sealed partial class PostgresQueries(string schema)
{
    /// <summary>The schema version this library writes and reads.</summary>
    public const int SchemaVersion = 2;

    /// <summary>The SQLSTATE the fence raises when the data set's lease has another epoch: the writer was deposed.</summary>
    public const string LeaseLostState = "BS001";

    /// <summary>Lets a transaction commit without waiting for the WAL flush; the next flushed commit makes it durable too.</summary>
    public const string RelaxCommit = "SET LOCAL synchronous_commit = off";

    /// <summary>Whether the schema holds BlockStore's tables yet.</summary>
    public const string SchemaExists = "SELECT to_regclass(@schema || '.schema_version') IS NOT NULL";

    public string Schema { get; } = schema;

    /// <summary>Serialises schema creation between instances opening at once (a transaction-scoped advisory lock).</summary>
    public string LockSchema => "SELECT pg_advisory_xact_lock(hashtext(@schema))";

    /// <summary>
    /// The schema (version 2). Block bytes live in <c>block_data</c> keyed by store and offset inside virtual fixed-capacity
    /// <c>stores</c> (a store's <c>used</c> is where its next block goes, <c>freed</c> counts the bytes of its blocks released since;
    /// version 1 had no <c>freed</c>, added here). The index: <c>timelines</c> holds each timeline's totals, <c>blocks</c> each sealed block, found by SeqId
    /// through its primary key and <c>blocks_by_last_seq</c>, by time through <c>blocks_by_time</c>; <c>totals</c> holds each data
    /// set's running totals. The journal has one row per group commit, keyed by an increasing id. <c>leases</c> holds each data
    /// set's owner and epoch; <c>fence</c> renews the lease of the given epoch or raises <see cref="LeaseLostState"/>, and every
    /// write runs it first in the same transaction.
    /// </summary>
    public string CreateSchema => $"""
        CREATE SCHEMA IF NOT EXISTS {Schema};
        CREATE TABLE IF NOT EXISTS {Schema}.schema_version (
            version integer NOT NULL
        );
        CREATE TABLE IF NOT EXISTS {Schema}.leases (
            data_set   text PRIMARY KEY,
            owner      text NOT NULL,
            epoch      bigint NOT NULL,
            expires_at timestamptz NOT NULL
        );
        CREATE TABLE IF NOT EXISTS {Schema}.totals (
            data_set       text PRIMARY KEY,
            conv_timelines bigint NOT NULL DEFAULT 0,
            user_timelines bigint NOT NULL DEFAULT 0,
            blocks         bigint NOT NULL DEFAULT 0,
            messages       bigint NOT NULL DEFAULT 0,
            max_seq        bigint NOT NULL DEFAULT 0,
            max_ts         bigint NOT NULL DEFAULT 0
        );
        CREATE TABLE IF NOT EXISTS {Schema}.stores (
            data_set text NOT NULL,
            store_id bigint NOT NULL,
            capacity bigint NOT NULL,
            used     bigint NOT NULL,
            created  bigint NOT NULL,
            freed    bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (data_set, store_id)
        );
        ALTER TABLE {Schema}.stores ADD COLUMN IF NOT EXISTS freed bigint NOT NULL DEFAULT 0;
        CREATE TABLE IF NOT EXISTS {Schema}.block_data (
            data_set     text NOT NULL,
            store_id     bigint NOT NULL,
            store_offset bigint NOT NULL,
            data         bytea NOT NULL,
            PRIMARY KEY (data_set, store_id, store_offset)
        );
        CREATE TABLE IF NOT EXISTS {Schema}.timelines (
            data_set text NOT NULL,
            kind     smallint NOT NULL,
            id       text NOT NULL,
            blocks   bigint NOT NULL DEFAULT 0,
            entries  bigint NOT NULL DEFAULT 0,
            last_seq bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (data_set, kind, id)
        );
        CREATE TABLE IF NOT EXISTS {Schema}.blocks (
            data_set     text NOT NULL,
            kind         smallint NOT NULL,
            timeline_id  text NOT NULL,
            first_seq    bigint NOT NULL,
            last_seq     bigint NOT NULL,
            first_ts     bigint NOT NULL,
            last_ts      bigint NOT NULL,
            count        integer NOT NULL,
            store_id     bigint NOT NULL,
            store_offset bigint NOT NULL,
            size         integer NOT NULL,
            created      bigint NOT NULL,
            PRIMARY KEY (data_set, kind, timeline_id, first_seq)
        );
        CREATE INDEX IF NOT EXISTS blocks_by_last_seq ON {Schema}.blocks (data_set, kind, timeline_id, last_seq);
        CREATE INDEX IF NOT EXISTS blocks_by_time ON {Schema}.blocks (data_set, kind, timeline_id, last_ts, last_seq);
        CREATE TABLE IF NOT EXISTS {Schema}.journal (
            data_set text NOT NULL,
            id       bigint NOT NULL,
            data     bytea NOT NULL,
            PRIMARY KEY (data_set, id)
        );
        CREATE TABLE IF NOT EXISTS {Schema}.checkpoints (
            data_set text NOT NULL,
            user_id  text NOT NULL,
            seq      bigint NOT NULL,
            PRIMARY KEY (data_set, user_id)
        );
        CREATE OR REPLACE FUNCTION {Schema}.fence(p_data_set text, p_epoch bigint, p_lease_ms bigint) RETURNS void
        LANGUAGE plpgsql AS $fence$
        BEGIN
            UPDATE {Schema}.leases SET expires_at = now() + p_lease_ms * interval '1 millisecond'
            WHERE data_set = p_data_set AND epoch = p_epoch;
            IF NOT FOUND THEN
                RAISE EXCEPTION USING ERRCODE = '{LeaseLostState}',
                    MESSAGE = format('the lease of data set %s is no longer held at epoch %s', p_data_set, p_epoch);
            END IF;
        END
        $fence$;
        """;

    public string GetSchemaVersion => $"SELECT max(version) FROM {Schema}.schema_version";

    public string SetSchemaVersion => $"DELETE FROM {Schema}.schema_version; INSERT INTO {Schema}.schema_version (version) VALUES (@version)";

    /// <summary>Takes the lease when it is free or expired (by the database's clock), raising the epoch; returns no row while another owner holds it.</summary>
    public string AcquireLease => $"""
        INSERT INTO {Schema}.leases AS l (data_set, owner, epoch, expires_at)
        VALUES (@dataSet, @owner, 1, now() + @leaseMs * interval '1 millisecond')
        ON CONFLICT (data_set) DO UPDATE SET owner = excluded.owner, epoch = l.epoch + 1, expires_at = excluded.expires_at
        WHERE l.expires_at < now()
        RETURNING epoch
        """;

    /// <summary>Runs the fence: renews the lease of this epoch, or raises <see cref="LeaseLostState"/>.</summary>
    public string Fence => $"SELECT {Schema}.fence(@dataSet, @epoch, @leaseMs)";

    public string ReleaseLease => $"UPDATE {Schema}.leases SET expires_at = '-infinity' WHERE data_set = @dataSet AND epoch = @epoch";

    public string InitTotals => $"INSERT INTO {Schema}.totals (data_set) VALUES (@dataSet) ON CONFLICT DO NOTHING";

    public string LoadTotals => $"""
        SELECT conv_timelines, user_timelines, blocks, messages, max_seq, max_ts FROM {Schema}.totals WHERE data_set = @dataSet
        """;

    public string LoadStores => $"SELECT store_id AS StoreId, capacity AS Capacity, used AS Used, freed AS Freed FROM {Schema}.stores WHERE data_set = @dataSet ORDER BY store_id";

    /// <summary>Which of the blocks given as parallel arrays are still stored, with their lengths (the writer then releases exactly those).</summary>
    public string StoredBlocks => $"""
        SELECT b.store_id, octet_length(b.data) FROM {Schema}.block_data b
        JOIN unnest(@storeIds, @offsets) AS t(s, o) ON b.store_id = t.s AND b.store_offset = t.o
        WHERE b.data_set = @dataSet
        """;

    /// <summary>Deletes the bytes of the blocks given as parallel arrays.</summary>
    public string ReleaseBlockData => $"""
        DELETE FROM {Schema}.block_data b USING unnest(@storeIds, @offsets) AS t(s, o)
        WHERE b.data_set = @dataSet AND b.store_id = t.s AND b.store_offset = t.o
        """;

    /// <summary>Sets the freed bytes of the stores given as parallel arrays.</summary>
    public string SetFreed => $"""
        UPDATE {Schema}.stores s SET freed = t.f FROM unnest(@storeIds, @freed) AS t(i, f)
        WHERE s.data_set = @dataSet AND s.store_id = t.i
        """;

    public string DeleteStores => $"DELETE FROM {Schema}.stores WHERE data_set = @dataSet AND store_id = ANY(@storeIds)";

    /// <summary>Records new stores and the used bytes of touched ones, from parallel arrays.</summary>
    public string UpsertStores => $"""
        INSERT INTO {Schema}.stores (data_set, store_id, capacity, used, created)
        SELECT @dataSet, s, @capacity, u, @created FROM unnest(@storeIds, @used) AS t(s, u)
        ON CONFLICT (data_set, store_id) DO UPDATE SET used = excluded.used
        """;

    /// <summary>Inserts block bytes from parallel arrays: one statement for a whole seal.</summary>
    public string InsertBlockData => $"""
        INSERT INTO {Schema}.block_data (data_set, store_id, store_offset, data)
        SELECT @dataSet, s, o, d FROM unnest(@storeIds, @offsets, @data) AS t(s, o, d)
        """;

    public string ReadBlockData => $"SELECT data FROM {Schema}.block_data WHERE data_set = @dataSet AND store_id = @storeId AND store_offset = @offset";

    public string AppendJournal => $"INSERT INTO {Schema}.journal (data_set, id, data) VALUES (@dataSet, @id, @data)";

    public string ReadJournal => $"SELECT id, data FROM {Schema}.journal WHERE data_set = @dataSet ORDER BY id";

    public string TrimJournal => $"DELETE FROM {Schema}.journal WHERE data_set = @dataSet AND id < @keepFrom";

    /// <summary>Inserts sealed blocks from parallel arrays.</summary>
    public string InsertBlocks => $"""
        INSERT INTO {Schema}.blocks (data_set, kind, timeline_id, first_seq, last_seq, first_ts, last_ts, count, store_id, store_offset, size, created)
        SELECT @dataSet, k, i, fs, ls, ft, lt, c, s, o, z, cr
        FROM unnest(@kinds, @ids, @firstSeqs, @lastSeqs, @firstTs, @lastTs, @counts, @storeIds, @offsets, @sizes, @created)
            AS t(k, i, fs, ls, ft, lt, c, s, o, z, cr)
        """;

    /// <summary>Registers timelines not registered yet and counts the new ones, per kind, in the data set's totals.</summary>
    public string RegisterTimelines => $"""
        WITH added AS (
            INSERT INTO {Schema}.timelines (data_set, kind, id)
            SELECT @dataSet, k, i FROM unnest(@kinds, @ids) AS t(k, i)
            ON CONFLICT DO NOTHING
            RETURNING kind)
        UPDATE {Schema}.totals SET
            conv_timelines = conv_timelines + (SELECT count(*) FROM added WHERE kind = 1),
            user_timelines = user_timelines + (SELECT count(*) FROM added WHERE kind <> 1)
        WHERE data_set = @dataSet
        """;

    public string AddToTimelines => $"""
        UPDATE {Schema}.timelines t SET blocks = t.blocks + d.b, entries = t.entries + d.e, last_seq = greatest(t.last_seq, d.l)
        FROM unnest(@kinds, @ids, @blocks, @entries, @lastSeqs) AS d(k, i, b, e, l)
        WHERE t.data_set = @dataSet AND t.kind = d.k AND t.id = d.i
        """;

    public string AddToTotals => $"""
        UPDATE {Schema}.totals SET blocks = blocks + @blocks, messages = messages + @messages,
            max_seq = greatest(max_seq, @maxSeq), max_ts = greatest(max_ts, @maxTs)
        WHERE data_set = @dataSet
        """;

    /// <summary>The entry counts of the block records given as parallel arrays (first SeqId, store, offset) of one timeline that exist.</summary>
    public string RecordedBlocks => $"""
        SELECT b.count FROM {Schema}.blocks b
        JOIN unnest(@firstSeqs, @storeIds, @offsets) AS t(f, s, o) ON b.first_seq = t.f AND b.store_id = t.s AND b.store_offset = t.o
        WHERE b.data_set = @dataSet AND b.kind = @kind AND b.timeline_id = @id
        """;

    /// <summary>Drops the block records of one timeline whose first SeqIds are given: a primary-key lookup each.</summary>
    public string DeleteBlocks => $"""
        DELETE FROM {Schema}.blocks WHERE data_set = @dataSet AND kind = @kind AND timeline_id = @id AND first_seq = ANY(@firstSeqs)
        """;

    /// <summary>Adds to one timeline's totals; affects no row when it is not registered.</summary>
    public string AddToTimeline => $"""
        UPDATE {Schema}.timelines SET blocks = blocks + @blocks, entries = entries + @entries, last_seq = greatest(last_seq, @lastSeq)
        WHERE data_set = @dataSet AND kind = @kind AND id = @id
        """;

    /// <summary>Unregisters one timeline and takes it, its blocks and (for a conversation) its entries off the data set's totals.</summary>
    public string DeleteTimeline => $"""
        WITH gone AS (DELETE FROM {Schema}.timelines WHERE data_set = @dataSet AND kind = @kind AND id = @id RETURNING kind, blocks, entries)
        UPDATE {Schema}.totals SET
            conv_timelines = conv_timelines - (SELECT count(*) FROM gone WHERE kind = 1),
            user_timelines = user_timelines - (SELECT count(*) FROM gone WHERE kind <> 1),
            blocks = blocks - coalesce((SELECT sum(blocks) FROM gone), 0),
            messages = messages - coalesce((SELECT sum(entries) FROM gone WHERE kind = 1), 0)
        WHERE data_set = @dataSet
        """;

    /// <summary>Drops every block record of one timeline: a range of the primary key.</summary>
    public string DeleteTimelineBlocks => $"DELETE FROM {Schema}.blocks WHERE data_set = @dataSet AND kind = @kind AND timeline_id = @id";

    /// <summary>
    /// Returns the space of deleted rows to the tables' free space maps. It cannot run inside a transaction, and the deleted bytes
    /// may stay in PostgreSQL's files until the space is reused: the server's files are not the data set's.
    /// </summary>
    public string Vacuum => $"VACUUM {Schema}.block_data, {Schema}.blocks, {Schema}.timelines, {Schema}.journal, {Schema}.checkpoints, {Schema}.stores";

    public string DeleteCheckpoint => $"DELETE FROM {Schema}.checkpoints WHERE data_set = @dataSet AND user_id = @userId";

    public string GetCheckpoint => $"SELECT seq FROM {Schema}.checkpoints WHERE data_set = @dataSet AND user_id = @userId";

    public string SaveCheckpoints => $"""
        INSERT INTO {Schema}.checkpoints (data_set, user_id, seq)
        SELECT @dataSet, u, s FROM unnest(@users, @seqs) AS t(u, s)
        ON CONFLICT (data_set, user_id) DO UPDATE SET seq = greatest({Schema}.checkpoints.seq, excluded.seq)
        """;

    private const string BlockColumns = "b.first_seq, b.last_seq, b.first_ts, b.last_ts, b.count, b.store_id, b.store_offset, b.size, b.created";

    /// <summary>One timeline's totals with its newest blocks, in one statement and so from one snapshot (null block columns when it has none).</summary>
    public string GetTimeline => $"""
        SELECT t.blocks, t.entries, t.last_seq, {BlockColumns}
        FROM {Schema}.timelines t
        LEFT JOIN LATERAL (
            SELECT * FROM {Schema}.blocks x
            WHERE x.data_set = t.data_set AND x.kind = t.kind AND x.timeline_id = t.id
            ORDER BY x.first_seq DESC LIMIT @limit) b ON true
        WHERE t.data_set = @dataSet AND t.kind = @kind AND t.id = @id
        ORDER BY b.first_seq
        """;

    /// <summary>Many timelines' totals with their newest blocks, in one statement: rows ordered by the key's position, then by block.</summary>
    public string GetTimelines => $"""
        SELECT k.ord, t.blocks, t.entries, t.last_seq, {BlockColumns}
        FROM unnest(@kinds, @ids) WITH ORDINALITY AS k(kind, id, ord)
        JOIN {Schema}.timelines t ON t.data_set = @dataSet AND t.kind = k.kind AND t.id = k.id
        LEFT JOIN LATERAL (
            SELECT * FROM {Schema}.blocks x
            WHERE x.data_set = t.data_set AND x.kind = t.kind AND x.timeline_id = t.id
            ORDER BY x.first_seq DESC LIMIT @limit) b ON true
        ORDER BY k.ord, b.first_seq
        """;

    /// <summary>The newest blocks starting below a SeqId: a backwards range scan of the primary key.</summary>
    public string BlocksBefore => $"""
        SELECT {BlockColumns} FROM {Schema}.blocks b
        WHERE b.data_set = @dataSet AND b.kind = @kind AND b.timeline_id = @id AND b.first_seq < @before
        ORDER BY b.first_seq DESC LIMIT @limit
        """;

    /// <summary>The oldest blocks ending above a SeqId: a range scan of <c>blocks_by_last_seq</c>.</summary>
    public string BlocksAfter => $"""
        SELECT {BlockColumns} FROM {Schema}.blocks b
        WHERE b.data_set = @dataSet AND b.kind = @kind AND b.timeline_id = @id AND b.last_seq > @after AND b.first_seq < @before
        ORDER BY b.last_seq LIMIT @limit
        """;

    /// <summary>The oldest blocks overlapping a time window: a range scan of <c>blocks_by_time</c>.</summary>
    public string BlocksByTime => $"""
        SELECT {BlockColumns} FROM {Schema}.blocks b
        WHERE b.data_set = @dataSet AND b.kind = @kind AND b.timeline_id = @id AND b.last_ts >= @from AND b.first_ts < @to
            AND b.last_seq > @after AND b.first_seq < @before
        ORDER BY b.last_ts, b.last_seq LIMIT @limit
        """;

    public string LoadTimelines => $"SELECT kind, id FROM {Schema}.timelines WHERE data_set = @dataSet";

    public string LoadBlocks => $"""
        SELECT b.kind, b.timeline_id, {BlockColumns} FROM {Schema}.blocks b WHERE b.data_set = @dataSet ORDER BY b.kind, b.timeline_id, b.first_seq
        """;
}
