-- The DynamoDB-JSON export of the history table, one row per item. Each data line of an export is
-- {"Item": {"PK": {"S": "..."}, "durationMs": {"N": "1135.729"}, ...}}: every attribute is a struct keyed by its
-- DynamoDB type (S string, N number as a string, L list, BOOL). Only the attributes of terminal runs
-- (lib/store/items.ts RunItem) are declared: the JSON SerDe ignores the others and leaves absent ones NULL.
--
-- Replace ${EXPORT_DATA_LOCATION} with the data folder of one FULL export, e.g.
-- s3://<ExportBucket>/exports/AWSDynamoDB/01762829700000-0a1b2c3d/data/ (README, "Analyzing exports").
CREATE EXTERNAL TABLE IF NOT EXISTS ucs_history_export (
  item struct<
    PK: struct<S: string>,
    SK: struct<S: string>,
    kind: struct<S: string>,
    level: struct<S: string>,
    source: struct<S: string>,
    jobId: struct<S: string>,
    attempt: struct<N: string>,
    stepId: struct<S: string>,
    `type`: struct<S: string>,
    jobType: struct<S: string>,
    status: struct<S: string>,
    rawStatus: struct<S: string>,
    fleetId: struct<S: string>,
    clusterId: struct<S: string>,
    clusterIds: struct<L: array<struct<S: string>>>,
    startedAt: struct<S: string>,
    finishedAt: struct<S: string>,
    durationMs: struct<N: string>,
    belongsAt: struct<S: string>
  >
)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
LOCATION '${EXPORT_DATA_LOCATION}';
