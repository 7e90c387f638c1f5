-- Duration percentiles, like GET /stats/durations. Replace ${FROM} and ${TO} with ISO 8601 times: the window
-- is [FROM, TO). approx_percentile is approximate; `npm run analyze` gives exact figures for the same window.
-- count = runs with a duration (count(duration_ms) skips NULLs, as the API does).

-- Jobs by type (groupBy=type).
SELECT
  type_key AS key,
  count(duration_ms) AS count,
  min(duration_ms) AS min_ms,
  max(duration_ms) AS max_ms,
  avg(duration_ms) AS mean_ms,
  approx_percentile(duration_ms, 0.5) AS p50_ms,
  approx_percentile(duration_ms, 0.9) AS p90_ms,
  approx_percentile(duration_ms, 0.95) AS p95_ms,
  approx_percentile(duration_ms, 0.99) AS p99_ms
FROM ucs_job_runs
WHERE belongs_at_ts >= from_iso8601_timestamp('${FROM}') AND belongs_at_ts < from_iso8601_timestamp('${TO}')
GROUP BY type_key
ORDER BY key;

-- Jobs by fleet (groupBy=fleet; runs without a fleet have no group).
SELECT
  fleet_id AS key,
  count(duration_ms) AS count,
  approx_percentile(duration_ms, 0.5) AS p50_ms,
  approx_percentile(duration_ms, 0.9) AS p90_ms,
  approx_percentile(duration_ms, 0.95) AS p95_ms,
  approx_percentile(duration_ms, 0.99) AS p99_ms
FROM ucs_job_runs
WHERE fleet_id IS NOT NULL
  AND belongs_at_ts >= from_iso8601_timestamp('${FROM}') AND belongs_at_ts < from_iso8601_timestamp('${TO}')
GROUP BY fleet_id
ORDER BY key;

-- Steps by cluster (groupBy=cluster, level=step).
SELECT
  cluster_id AS key,
  count(duration_ms) AS count,
  approx_percentile(duration_ms, 0.5) AS p50_ms,
  approx_percentile(duration_ms, 0.9) AS p90_ms,
  approx_percentile(duration_ms, 0.95) AS p95_ms,
  approx_percentile(duration_ms, 0.99) AS p99_ms
FROM ucs_step_runs
WHERE cluster_id IS NOT NULL
  AND belongs_at_ts >= from_iso8601_timestamp('${FROM}') AND belongs_at_ts < from_iso8601_timestamp('${TO}')
GROUP BY cluster_id
ORDER BY key;

-- Jobs by UTC day (groupBy=day).
SELECT
  belongs_day AS key,
  count(duration_ms) AS count,
  approx_percentile(duration_ms, 0.5) AS p50_ms,
  approx_percentile(duration_ms, 0.9) AS p90_ms,
  approx_percentile(duration_ms, 0.95) AS p95_ms,
  approx_percentile(duration_ms, 0.99) AS p99_ms
FROM ucs_job_runs
WHERE belongs_at_ts >= from_iso8601_timestamp('${FROM}') AND belongs_at_ts < from_iso8601_timestamp('${TO}')
GROUP BY belongs_day
ORDER BY key;
