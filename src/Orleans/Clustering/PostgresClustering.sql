-- Orleans membership (ADO.NET clustering) on PostgreSQL, in the schema first on the connection's search path.
-- Safe to run again: tables are created when missing and the named queries are replaced by this version's text.
--
-- The ADO.NET clustering provider reads every statement it runs from orleans_query by key and binds its parameters by
-- name (@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @SuspectTimes,
-- @StartTime, @IAmAliveTime, @Version). It reads result columns by name, so the queries name them as it expects.
-- Writes to the membership are optimistic: each one names the version it read and succeeds only if the version row
-- still holds it, bumping it in the same statement; a statement answers 1 when it wrote and 0 when it lost the race.

CREATE TABLE IF NOT EXISTS orleansquery (
    querykey  text PRIMARY KEY,
    querytext text NOT NULL
);

-- One row per cluster (DeploymentId is the cluster id): the membership version every write checks and bumps.
CREATE TABLE IF NOT EXISTS cluster_membership_version (
    deployment_id text PRIMARY KEY,
    version       integer NOT NULL DEFAULT 0,
    changed_at    timestamptz NOT NULL DEFAULT now()
);

-- One row per silo incarnation (address, port and generation); status is Orleans' SiloStatus (3 active, 6 dead).
CREATE TABLE IF NOT EXISTS cluster_membership (
    deployment_id   text NOT NULL REFERENCES cluster_membership_version (deployment_id) ON DELETE CASCADE,
    address         text NOT NULL,
    port            integer NOT NULL,
    generation      integer NOT NULL,
    silo_name       text NOT NULL,
    host_name       text NOT NULL,
    status          integer NOT NULL,
    proxy_port      integer,
    suspect_times   text,
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

INSERT INTO orleansquery (querykey, querytext) VALUES
('InsertMembershipVersionKey', $q$
    WITH added AS (
        INSERT INTO cluster_membership_version (deployment_id) VALUES (@DeploymentId)
        ON CONFLICT (deployment_id) DO NOTHING
        RETURNING 1)
    SELECT count(*)::integer FROM added
$q$),
('InsertMembershipKey', $q$
    WITH bumped AS (
        UPDATE cluster_membership_version
        SET version = version + 1, changed_at = now()
        WHERE deployment_id = @DeploymentId AND version = @Version
          AND NOT EXISTS (
              SELECT 1 FROM cluster_membership
              WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation)
        RETURNING deployment_id),
    added AS (
        INSERT INTO cluster_membership
            (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port, start_time, i_am_alive_time)
        SELECT deployment_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime
        FROM bumped
        RETURNING 1)
    SELECT count(*)::integer FROM added
$q$),
('UpdateMembershipKey', $q$
    WITH bumped AS (
        UPDATE cluster_membership_version
        SET version = version + 1, changed_at = now()
        WHERE deployment_id = @DeploymentId AND version = @Version
          AND EXISTS (
              SELECT 1 FROM cluster_membership
              WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation)
        RETURNING deployment_id),
    changed AS (
        UPDATE cluster_membership AS m
        SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = GREATEST(m.i_am_alive_time, @IAmAliveTime)
        FROM bumped
        WHERE m.deployment_id = bumped.deployment_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
        RETURNING 1)
    SELECT count(*)::integer FROM changed
$q$),
('UpdateIAmAlivetimeKey', $q$
    UPDATE cluster_membership
    SET i_am_alive_time = GREATEST(i_am_alive_time, @IAmAliveTime)
    WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$q$),
('MembershipReadRowKey', $q$
    SELECT v.deployment_id AS "DeploymentId", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
           m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
           m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime",
           v.version AS "Version"
    FROM cluster_membership_version AS v
    LEFT JOIN cluster_membership AS m
        ON m.deployment_id = v.deployment_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
    WHERE v.deployment_id = @DeploymentId
$q$),
('MembershipReadAllKey', $q$
    SELECT v.deployment_id AS "DeploymentId", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
           m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
           m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime",
           v.version AS "Version"
    FROM cluster_membership_version AS v
    LEFT JOIN cluster_membership AS m ON m.deployment_id = v.deployment_id
    WHERE v.deployment_id = @DeploymentId
$q$),
('DeleteMembershipTableEntriesKey', $q$
    DELETE FROM cluster_membership_version WHERE deployment_id = @DeploymentId
$q$),
('GatewaysQueryKey', $q$
    SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
    FROM cluster_membership
    WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0
$q$),
('CleanupDefunctSiloEntriesKey', $q$
    DELETE FROM cluster_membership
    WHERE deployment_id = @DeploymentId AND status = 6 AND coalesce(suspect_times, '') = ''
      AND i_am_alive_time < @IAmAliveTime AND start_time < @IAmAliveTime
$q$),
('CleanupDefunctSiloEntryKey', $q$
    DELETE FROM cluster_membership
    WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
      AND status = 6 AND start_time = @StartTime AND i_am_alive_time = @IAmAliveTime
      AND coalesce(suspect_times, '') = coalesce(@SuspectTimes, '')
$q$)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
