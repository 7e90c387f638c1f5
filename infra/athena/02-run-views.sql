-- Terminal runs, flat: one row per run item (kind = 'run'), each counted once (DESIGN.md "History semantics").
-- belongs_at is the time a run belongs to (its finishedAt, else its first terminal observation).
CREATE OR REPLACE VIEW ucs_terminal_runs AS
SELECT
  item.level.S AS level,
  item.source.S AS source,
  item.jobId.S AS job_id,
  CAST(item.attempt.N AS integer) AS attempt,
  item.stepId.S AS step_id,
  item.type.S AS type,
  concat(item.source.S, '/', item.type.S) AS type_key,
  item.jobType.S AS job_type,
  item.status.S AS status,
  item.rawStatus.S AS raw_status,
  item.fleetId.S AS fleet_id,
  item.clusterId.S AS cluster_id,
  item.startedAt.S AS started_at,
  item.finishedAt.S AS finished_at,
  CAST(item.durationMs.N AS double) AS duration_ms,
  item.belongsAt.S AS belongs_at,
  from_iso8601_timestamp(item.belongsAt.S) AS belongs_at_ts,
  substr(item.belongsAt.S, 1, 10) AS belongs_day,
  CASE WHEN item.status.S IN ('failed', 'timed_out') THEN 1 ELSE 0 END AS is_failure
FROM ucs_history_export
WHERE item.kind.S = 'run';

-- Whole jobs (the API's level=job).
CREATE OR REPLACE VIEW ucs_job_runs AS
SELECT * FROM ucs_terminal_runs WHERE level = 'job';

-- Steps: federation sub-jobs and policy tasks (the API's level=step); cluster_id is set for cluster targets.
CREATE OR REPLACE VIEW ucs_step_runs AS
SELECT * FROM ucs_terminal_runs WHERE level = 'step';
