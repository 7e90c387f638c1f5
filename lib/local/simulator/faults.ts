// Fault injection: each authenticated UCS request draws its fate from a stream keyed by (faults seed,
// request number), so a run with the same seed and the same request order misbehaves the same way.
import { rngFor, type Rng } from './prng';

/** Rates in 0..1 of each misbehaviour (independent draws, checked in the order listed in README.md). */
export interface FaultConfig {
  /** 500 with a UCS error body (sometimes plain text or empty, as UCS does). */
  error500Rate?: number;
  /** 429 with `UCS.01000002` (half of them with `Retry-After: 1`). */
  throttleRate?: number;
  /** Added to every UCS answer, ms. */
  latencyMs?: number;
  /** Accept the request and never answer (the socket is held until the client aborts or the server closes). */
  timeoutRate?: number;
  /** 200 whose body is not valid JSON. */
  malformedRate?: number;
  /** 200 whose body drifts from the schema: extra fields, a missing optional field, or an unknown phase. */
  driftRate?: number;
  seed?: number;
}

/** What to do with one request. */
export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'timeout' }
  | { kind: 'error500'; body: 'json' | 'text' | 'empty' }
  | { kind: 'throttle'; retryAfter: boolean }
  | { kind: 'malformed' }
  | { kind: 'drift'; variant: DriftVariant };

/** The three kinds of schema drift. */
export type DriftVariant = 'extra-fields' | 'missing-optional' | 'unknown-phase';

/** The phase/status value an `unknown-phase` drift writes. */
export const UNKNOWN_PHASE = 'Reconciling';

/** Draws the fault for request number `n` under `config`. */
export function decideFault(config: FaultConfig, n: number): FaultDecision {
  const rng: Rng = rngFor(config.seed ?? 0, 'fault', n);
  const hit = (rate: number | undefined): boolean => rng.next() < (rate ?? 0);
  if (hit(config.timeoutRate)) return { kind: 'timeout' };
  if (hit(config.error500Rate)) return { kind: 'error500', body: rng.weighted(['json', 'text', 'empty'] as const, [4, 1, 1]) };
  if (hit(config.throttleRate)) return { kind: 'throttle', retryAfter: rng.next() < 0.5 };
  if (hit(config.malformedRate)) return { kind: 'malformed' };
  if (hit(config.driftRate)) return { kind: 'drift', variant: rng.pick(['extra-fields', 'missing-optional', 'unknown-phase'] as const) };
  return { kind: 'none' };
}

/** A JSON body cut short: what a proxy that dropped the connection mid-body would deliver. */
export function malformedBody(json: string): string {
  return json.length > 2 ? json.slice(0, Math.max(1, Math.floor(json.length / 2))) : '{"kind":';
}

type Json = Record<string, unknown>;

function asObject(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

/** The object a drift applies to: a job body itself, or the first item of a list body. */
function driftTarget(body: Json): Json {
  const items = body.items;
  return (Array.isArray(items) ? asObject(items[0]) : undefined) ?? body;
}

/** Returns a drifted deep copy of a 200 body. */
export function driftBody(body: unknown, variant: DriftVariant): unknown {
  const copy = asObject(structuredClone(body));
  if (!copy) return body;
  const target = driftTarget(copy);
  const metadata = asObject(target.metadata);
  const status = asObject(target.status);
  switch (variant) {
    case 'extra-fields':
      copy.x_ucs_trace = { region: 'cn-north-4', shard: 7 };
      if (metadata) metadata.labels = { 'ucs.huawei.com/drift': 'true' };
      if (status) status.conditions = [{ type: 'Ready', status: 'True' }];
      break;
    case 'missing-optional':
      // Optional everywhere in the docs: a reader must cope with them gone.
      if (metadata) delete metadata.updateTimestamp;
      if (status) delete status.startTime;
      break;
    case 'unknown-phase':
      if (status && 'phase' in status) status.phase = UNKNOWN_PHASE;
      else if (status && 'status' in status) status.status = UNKNOWN_PHASE;
      break;
  }
  return copy;
}
