import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import type { StatsQuery } from '../stats/results';
import { INTERVAL_MICROS, defaultedWindow, seriesBucketCount } from '../stats/window';
import { BadRequest } from './errors';
import type { DurationStatsParams, FailureRateStatsParams } from './schemas';
import { MICROS_PER_DAY } from '../rollup/buckets';
import { formatIsoMicros, isSupportedInstant } from '../jobs/time';

/** Turns the first zod issue into a 400 that names the parameter (or `body` when the body itself is wrong). */
function badRequestFrom(error: z.ZodError, fallback: string): BadRequest {
  const issue = error.issues[0];
  if (!issue) return new BadRequest(fallback, 'is invalid');
  if (issue.code === 'unrecognized_keys') {
    // `?=5` has a value but no name: say that, rather than name an empty parameter.
    if (issue.keys.includes('')) return new BadRequest(fallback, 'has a parameter with a value but no name (like "?=5"): write name=value', { unknown: issue.keys });
    const name = issue.keys[0] ?? fallback;
    return new BadRequest(name, 'is not a known parameter', { unknown: issue.keys });
  }
  const name = issue.path.length ? issue.path.map(String).join('.') : fallback;
  return new BadRequest(name, issue.message);
}

/** Parses the query string with `schema`; bad input is a BadRequest naming the parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, event: Pick<APIGatewayProxyEventV2, 'queryStringParameters'>): z.output<S> {
  const result = schema.safeParse({ ...event.queryStringParameters });
  if (!result.success) throw badRequestFrom(result.error, 'query');
  return result.data;
}

/** Parses the path parameters with `schema`; an unknown value is a BadRequest naming the path parameter. */
export function parsePath<S extends z.ZodType>(schema: S, event: Pick<APIGatewayProxyEventV2, 'pathParameters'>): z.output<S> {
  const result = schema.safeParse({ ...event.pathParameters });
  if (!result.success) throw badRequestFrom(result.error, 'path');
  return result.data;
}

/** Parses a JSON body with `schema`; a missing or malformed body is a BadRequest naming `body`. */
export function parseJsonBody<S extends z.ZodType>(
  schema: S,
  event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>,
): z.output<S> {
  if (event.body === undefined || event.body === '') throw new BadRequest('body', 'a JSON object is required');
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BadRequest('body', 'is not valid JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new BadRequest('body', 'must be a JSON object');
  const result = schema.safeParse(json);
  if (!result.success) throw badRequestFrom(result.error, 'body');
  return result.data;
}

/** Limits a request may not exceed (from the service config). */
export interface RequestLimits {
  maxWindowDays: number;
  /** Now, in µs since the epoch (tests pass a fixed clock). */
  nowMicros?: number;
}

/** Most entries a `series` may have (1000 hours ≈ 41 days at `interval=hour`). */
export const MAX_SERIES_BUCKETS = 1000;

/** An instant for an error message, even one before the supported range. */
const describeInstant = (us: number) => (isSupportedInstant(us) ? formatIsoMicros(us) : new Date(Math.floor(us / 1000)).toISOString());

/**
 * Resolves a `[from, to)` window with the defaults of `defaultedWindow` (lib/stats/window.ts). `from ≥ to` and
 * windows longer than `maxWindowDays` are BadRequests naming `from`. A window (or, with `previous`, the window
 * of equal length just before it) that starts before 1970-01-01 is a BadRequest naming `from`, or `to` when
 * `from` was defaulted from it: the engine handles no earlier instant.
 */
export function resolveWindow(
  params: { from?: string; to?: string },
  limits: RequestLimits,
  options: { previous?: boolean } = {},
): { from: number; to: number } {
  const { from, to } = defaultedWindow(params, limits.nowMicros ?? Date.now() * 1000);
  if (to === undefined) throw new BadRequest('to', 'is not a valid time');
  if (from === undefined) throw new BadRequest('from', 'is not a valid time');
  // `to` parsed within range; only a `from` derived from it can fall before 1970.
  const blamed = params.from === undefined ? 'to' : 'from';
  if (!isSupportedInstant(from)) {
    throw new BadRequest(blamed, `the window [from, to) would start at ${describeInstant(from)}, before 1970-01-01T00:00:00Z${params.from === undefined ? ' (from defaults to 7 days before to)' : ''}`);
  }
  if (from >= to) throw new BadRequest('from', `must be before "to" (${formatIsoMicros(from)} >= ${formatIsoMicros(to)})`);
  if (to - from > limits.maxWindowDays * MICROS_PER_DAY) {
    throw new BadRequest('from', `the window [from, to) may span at most ${limits.maxWindowDays} days`, {
      maxWindowDays: limits.maxWindowDays,
    });
  }
  if (options.previous && !isSupportedInstant(from - (to - from))) {
    throw new BadRequest(
      blamed,
      `compare=previous needs the window of equal length before [from, to), which would start at ${describeInstant(from - (to - from))}, before 1970-01-01T00:00:00Z`,
    );
  }
  return { from, to };
}

/** Turns validated stats parameters into an engine query, applying the default window and the limits. */
export function resolveStatsQuery(params: DurationStatsParams | FailureRateStatsParams, limits: RequestLimits): StatsQuery {
  const window = resolveWindow(params, limits, { previous: params.compare === 'previous' });
  if (params.interval) {
    const buckets = seriesBucketCount(window, INTERVAL_MICROS[params.interval]);
    if (buckets > MAX_SERIES_BUCKETS) {
      throw new BadRequest('interval', `would give ${buckets} series entries, more than ${MAX_SERIES_BUCKETS}: use a shorter window or interval=day`);
    }
  }
  return {
    level: params.level,
    groupBy: params.groupBy,
    source: params.source,
    type: params.type,
    status: 'status' in params ? params.status : undefined,
    from: formatIsoMicros(window.from),
    to: formatIsoMicros(window.to),
    interval: params.interval,
    compare: params.compare,
    attempt: params.attempt,
  };
}
