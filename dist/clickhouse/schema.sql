-- schema.sql — the omnisniff database in ClickHouse (18.16, Debian 12's, and
-- later): every record as it arrived, and tables of flow, problem, stream
-- and stats records with their fields as columns.
--
--   clickhouse-client --multiquery < schema.sql
--
-- Loading: the collector (dist/rsyslog/omnisniff-collector.conf) inserts
-- rows of two columns into omnisniff.records:
--   INSERT INTO omnisniff.records (site, line) FORMAT JSONEachRow
--   {"site":"montreal-hq","line":"{\"timestamp\":…,\"type\":\"flow\",…}"}
-- site is the sensor's host name or the site name it was given, line the
-- record's JSON text, byte for byte. ClickHouse computes the rest: the
-- materialized columns of records, and, through the materialized views at
-- the end, one row in flow, problem, stream or stats for each record of that
-- type. Fields are read with the visitParamExtract* functions (18.16 has no
-- JSONExtract*): they find a key's first occurrence anywhere in the line,
-- which is right for omnisniff's records (compact JSON; the keys read here
-- come before any nested object that has a key of the same name; see
-- docs/json-schema.md).
--
-- Exactly once: every table is a ReplacingMergeTree whose sorting key ends
-- with id = cityHash64(site, line). A record that arrives twice (the
-- shippers deliver at least once) has the same key, and ClickHouse keeps one
-- row: at once in queries with FINAL, on disk when it merges the parts.
-- Query with FINAL (docs/pipeline.md). Within one omnisniff run no two
-- records are the same line (each has its own timestamp, flow or problem);
-- the same capture read twice at one site gives the same lines, counted
-- once.
--
-- Times are UTC (omnisniff writes them so); a DateTime column holds whole
-- seconds, the line keeps the microseconds. Tables are partitioned by the
-- record's day.

CREATE DATABASE IF NOT EXISTS omnisniff;

-- Every record of every type (finding, summary and audit records too, and
-- types added later), as it came.
CREATE TABLE IF NOT EXISTS omnisniff.records
(
    site      String,                      -- the sensor: its host name or configured site name
    line      String,                      -- the record's JSON text
    received  DateTime DEFAULT now(),      -- when the collector inserted it
    type      String   MATERIALIZED visitParamExtractString(line, 'type'),
    ts        DateTime MATERIALIZED parseDateTimeBestEffortOrZero(visitParamExtractString(line, 'timestamp')),
    id        UInt64   MATERIALIZED cityHash64(site, line)   -- the record's identity
)
ENGINE = ReplacingMergeTree
PARTITION BY toDate(ts)
ORDER BY (site, type, ts, id);

-- One row per flow record: a flow that left omnisniff's table.
CREATE TABLE IF NOT EXISTS omnisniff.flow
(
    site            String,
    ts              DateTime,              -- the flow's first packet
    flow_id         UInt64,
    community_id    String,
    src_ip          String,                -- the client (initiator)
    src_port        UInt16,
    dest_ip         String,
    dest_port       UInt16,
    proto           String,
    role            String,                -- traffic role, '' when no rule matched
    confidence      String,
    service_by      String,
    pkts_toserver   UInt64,
    pkts_toclient   UInt64,
    bytes_toserver  UInt64,
    bytes_toclient  UInt64,
    flow_end        DateTime,              -- its last packet
    end_reason      String,                -- timeout, max-flows, end
    tcp_state       String,                -- established, refused, unanswered, midstream, partial; '' for UDP
    syn_count       UInt32,
    id              UInt64
)
ENGINE = ReplacingMergeTree
PARTITION BY toDate(ts)
ORDER BY (site, ts, flow_id, id);

-- One row per problem record: open, update (severity changed) and final
-- events. The latest event of a problem_id has its counts and severity.
CREATE TABLE IF NOT EXISTS omnisniff.problem
(
    site            String,
    ts              DateTime,              -- the event's packet time
    event           String,                -- open, update, final
    problem_id      UInt64,                -- the same problem has the same id in every run
    kind            String,                -- finding kind: unanswered-connection, connection-refused, ...
    severity        String,                -- error, warning, info
    role            String,
    proto           String,
    service_ip      String,                -- the service host or multicast group
    service_name    String,                -- its name from the hosts file, when known
    ports           Array(UInt16),         -- service ports tried
    port_first      UInt16,                -- the rule's port range
    port_last       UInt16,
    peers           UInt64,                -- distinct clients or senders
    flows           UInt64,                -- attempts (findings folded)
    packets         UInt64,
    answered        UInt64,                -- handshakes that did complete to the service
    first_seen      DateTime,
    last_seen       DateTime,
    explanation     String,
    id              UInt64
)
ENGINE = ReplacingMergeTree
PARTITION BY toDate(ts)
ORDER BY (site, kind, problem_id, ts, id);

-- One row per stream record: a video or audio stream whose flow ended.
CREATE TABLE IF NOT EXISTS omnisniff.stream
(
    site            String,
    ts              DateTime,              -- its first packet
    flow_id         UInt64,
    src_ip          String,                -- the sender
    src_port        UInt16,
    dest_ip         String,
    dest_port       UInt16,
    role            String,
    packets         UInt64,
    bytes           UInt64,
    last_seen       DateTime,
    mean_bps        Float64,
    peak_bps        Float64,
    max_gap_s       Float64,
    gaps            UInt32,
    alive_at_end    UInt8,
    stopped         UInt8,                 -- stream-stopped was raised
    rtp             UInt8,                 -- the rtp_* columns are meaningful
    rtp_lost        Int64,
    rtp_jitter_ms   Float64,
    id              UInt64
)
ENGINE = ReplacingMergeTree
PARTITION BY toDate(ts)
ORDER BY (site, ts, flow_id, id);

-- One row per stats record (--stats-interval): counters of the run so far.
CREATE TABLE IF NOT EXISTS omnisniff.stats
(
    site              String,
    ts                DateTime,
    packets           UInt64,
    bytes             UInt64,
    flows_active      UInt64,
    unclassified      UInt64,
    findings          UInt64,
    problems_error    UInt64,
    problems_warning  UInt64,
    problems_info     UInt64,
    kernel            UInt8,               -- a live capture: the kernel_* columns are meaningful
    kernel_received   UInt64,              -- pcap_stats since the run started
    kernel_dropped    UInt64,
    kernel_ifdropped  UInt64,
    id                UInt64
)
ENGINE = ReplacingMergeTree
PARTITION BY toDate(ts)
ORDER BY (site, ts, id);

-- The loading path: each insert into records fills the tables above.
CREATE MATERIALIZED VIEW IF NOT EXISTS omnisniff.flow_mv TO omnisniff.flow AS
SELECT
    site, ts,
    visitParamExtractUInt(line, 'flow_id') AS flow_id,
    visitParamExtractString(line, 'community_id') AS community_id,
    visitParamExtractString(line, 'src_ip') AS src_ip,
    toUInt16(visitParamExtractUInt(line, 'src_port')) AS src_port,
    visitParamExtractString(line, 'dest_ip') AS dest_ip,
    toUInt16(visitParamExtractUInt(line, 'dest_port')) AS dest_port,
    visitParamExtractString(line, 'proto') AS proto,
    visitParamExtractString(line, 'role') AS role,
    visitParamExtractString(line, 'confidence') AS confidence,
    visitParamExtractString(line, 'service_by') AS service_by,
    visitParamExtractUInt(line, 'pkts_toserver') AS pkts_toserver,
    visitParamExtractUInt(line, 'pkts_toclient') AS pkts_toclient,
    visitParamExtractUInt(line, 'bytes_toserver') AS bytes_toserver,
    visitParamExtractUInt(line, 'bytes_toclient') AS bytes_toclient,
    parseDateTimeBestEffortOrZero(visitParamExtractString(line, 'end')) AS flow_end,
    visitParamExtractString(line, 'reason') AS end_reason,
    visitParamExtractString(line, 'state') AS tcp_state,
    toUInt32(visitParamExtractUInt(line, 'syn_count')) AS syn_count,
    id
FROM omnisniff.records
WHERE type = 'flow';

CREATE MATERIALIZED VIEW IF NOT EXISTS omnisniff.problem_mv TO omnisniff.problem AS
SELECT
    site, ts,
    visitParamExtractString(line, 'event') AS event,
    visitParamExtractUInt(line, 'problem_id') AS problem_id,
    visitParamExtractString(line, 'kind') AS kind,
    visitParamExtractString(line, 'severity') AS severity,
    visitParamExtractString(line, 'role') AS role,
    visitParamExtractString(line, 'proto') AS proto,
    visitParamExtractString(line, 'service_ip') AS service_ip,
    visitParamExtractString(line, 'name') AS service_name,
    CAST(visitParamExtractRaw(line, 'ports') AS Array(UInt16)) AS ports,
    CAST(visitParamExtractRaw(line, 'port_range') AS Array(UInt16))[1] AS port_first,
    CAST(visitParamExtractRaw(line, 'port_range') AS Array(UInt16))[2] AS port_last,
    visitParamExtractUInt(line, 'peers') AS peers,
    visitParamExtractUInt(line, 'flows') AS flows,
    visitParamExtractUInt(line, 'packets') AS packets,
    visitParamExtractUInt(line, 'answered') AS answered,
    parseDateTimeBestEffortOrZero(visitParamExtractString(line, 'first_seen')) AS first_seen,
    parseDateTimeBestEffortOrZero(visitParamExtractString(line, 'last_seen')) AS last_seen,
    visitParamExtractString(line, 'explanation') AS explanation,
    id
FROM omnisniff.records
WHERE type = 'problem';

CREATE MATERIALIZED VIEW IF NOT EXISTS omnisniff.stream_mv TO omnisniff.stream AS
SELECT
    site, ts,
    visitParamExtractUInt(line, 'flow_id') AS flow_id,
    visitParamExtractString(line, 'src_ip') AS src_ip,
    toUInt16(visitParamExtractUInt(line, 'src_port')) AS src_port,
    visitParamExtractString(line, 'dest_ip') AS dest_ip,
    toUInt16(visitParamExtractUInt(line, 'dest_port')) AS dest_port,
    visitParamExtractString(line, 'role') AS role,
    visitParamExtractUInt(line, 'packets') AS packets,
    visitParamExtractUInt(line, 'bytes') AS bytes,
    parseDateTimeBestEffortOrZero(visitParamExtractString(line, 'last_seen')) AS last_seen,
    visitParamExtractFloat(line, 'mean_bps') AS mean_bps,
    visitParamExtractFloat(line, 'peak_bps') AS peak_bps,
    visitParamExtractFloat(line, 'max_gap_s') AS max_gap_s,
    toUInt32(visitParamExtractUInt(line, 'gaps')) AS gaps,
    visitParamExtractBool(line, 'alive_at_end') AS alive_at_end,
    visitParamExtractBool(line, 'stopped') AS stopped,
    visitParamHas(line, 'rtp_ssrc') AS rtp,
    visitParamExtractInt(line, 'rtp_lost') AS rtp_lost,
    visitParamExtractFloat(line, 'rtp_jitter_ms') AS rtp_jitter_ms,
    id
FROM omnisniff.records
WHERE type = 'stream';

CREATE MATERIALIZED VIEW IF NOT EXISTS omnisniff.stats_mv TO omnisniff.stats AS
SELECT
    site, ts,
    visitParamExtractUInt(line, 'packets') AS packets,
    visitParamExtractUInt(line, 'bytes') AS bytes,
    visitParamExtractUInt(line, 'flows_active') AS flows_active,
    visitParamExtractUInt(line, 'unclassified') AS unclassified,
    visitParamExtractUInt(line, 'findings') AS findings,
    visitParamExtractUInt(line, 'error') AS problems_error,
    visitParamExtractUInt(line, 'warning') AS problems_warning,
    visitParamExtractUInt(line, 'info') AS problems_info,
    visitParamHas(line, 'kernel') AS kernel,
    visitParamExtractUInt(line, 'received') AS kernel_received,
    visitParamExtractUInt(line, 'dropped') AS kernel_dropped,
    visitParamExtractUInt(line, 'ifdropped') AS kernel_ifdropped,
    id
FROM omnisniff.records
WHERE type = 'stats';
