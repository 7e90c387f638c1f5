-- Failure rates, like GET /stats/failure-rates: (failed + timed_out) / terminal runs, over [${FROM}, ${TO}).

-- Jobs by type (groupBy=type).
SELECT
  type_key AS key,
  count(*) AS total,
  count_if(status = 'succeeded') AS succeeded,
  count_if(status = 'failed') AS failed,
  count_if(status = 'timed_out') AS timed_out,
  CAST(sum(is_failure) AS double) / count(*) AS failure_rate
FROM ucs_job_runs
WHERE belongs_at_ts >= from_iso8601_timestamp('${FROM}') AND belongs_at_ts < from_iso8601_timestamp('${TO}')
GROUP BY type_key
ORDER BY key;

-- Jobs by fleet (groupBy=fleet).
SELECT
  fleet_id AS key,
  count(*) AS total,
  count_if(status = 'succeeded') AS succeeded,
  count_if(status = 'failed') AS failed,
  count_if(status = 'timed_out') AS timed_out,
  CAST(sum(is_failure) AS double) / count(*) AS failure_rate
FROM ucs_job_runs
WHERE fleet_id IS NOT NULL
  AND belongs_at_ts >= from_iso8601_timestamp('${FROM}') AND belongs_at_ts < from_iso8601_timestamp('${TO}')
GROUP BY fleet_id
ORDER BY key;

-- Steps by cluster (groupBy=cluster, level=step).
SELECT
  cluster_id AS key,
  count(*) AS total,
  count_if(status = 'succeeded') AS succeeded,
  count_if(status = 'failed') AS failed,
  count_if(status = 'timed_out') AS timed_out,
  CAST(sum(is_failure) AS double) / count(*) AS failure_rate
FROM ucs_step_runs
WHERE cluster_id IS NOT NULL
  AND belongs_at_ts >= from_iso8601_timestamp('${FROM}') AND belongs_at_ts < from_iso8601_timestamp('${TO}')
GROUP BY cluster_id
ORDER BY key;

-- Jobs by UTC day (groupBy=day).
SELECT
  belongs_day AS key,
  count(*) AS total,
  count_if(status = 'succeeded') AS succeeded,
  count_if(status = 'failed') AS failed,
  count_if(status = 'timed_out') AS timed_out,
  CAST(sum(is_failure) AS double) / count(*) AS failure_rate
FROM ucs_job_runs
WHERE belongs_at_ts >= from_iso8601_timestamp('${FROM}') AND belongs_at_ts < from_iso8601_timestamp('${TO}')
GROUP BY belongs_day
ORDER BY key;

-- First-try failure rate beside the rate over all attempts, jobs by type (attempt=first next to attempt=all):
-- how much retries recover. Adding `AND attempt = 1` to any query above gives its attempt=first figures.
SELECT
  type_key AS key,
  count_if(attempt = 1) AS first_try_total,
  CAST(count_if(attempt = 1 AND is_failure = 1) AS double) / nullif(count_if(attempt = 1), 0) AS first_try_failure_rate,
  count(*) AS total,
  CAST(sum(is_failure) AS double) / count(*) AS failure_rate
FROM ucs_job_runs
WHERE belongs_at_ts >= from_iso8601_timestamp('${FROM}') AND belongs_at_ts < from_iso8601_timestamp('${TO}')
GROUP BY type_key
ORDER BY key;
