import * as z from 'zod';
import { JobRecord, JobSource, TerminalStatus } from '../jobs/record';
import { emptyAggregate, TERMINAL_STATUSES, type RunAggregate } from '../stats/aggregate';
import { DurationSketch, packBins, unpackBins } from '../stats/sketch';
import type { RollupBucket, Target, TerminalRun } from './port';
import * as keys from './keys';

/**
 * The item shapes of the history table, validated with zod when read back (STYLE.md #2), and the
 * `toItem`/`fromItem` pairs. Items are export-friendly: flat scalars, ISO times, numeric durations, a `kind`.
 */

/** What every item says it is; the export analyzer rejects any other kind. */
export const ItemKind = z.enum(['job', 'revision', 'run', 'rollup', 'target', 'meta']);
export type ItemKind = z.infer<typeof ItemKind>;

const Keyed = z.object({ PK: z.string(), SK: z.string() });

/** The latest state (`kind: job`) and each revision (`kind: revision`) of a job. */
export const JobStateItem = Keyed.extend(JobRecord.shape).extend({
  kind: z.enum(['job', 'revision']),
  fingerprint: z.string(),
  revision: z.number().int().min(1),
  /** Whether the current attempt already reached a terminal status (a later non-terminal state is a retry). */
  attemptTerminal: z.boolean(),
  sortAt: z.string(),
});
export type JobStateItem = z.infer<typeof JobStateItem>;

/** Builds the latest-state or revision item of a record. */
export function jobStateItem(
  kind: 'job' | 'revision',
  record: JobRecord,
  meta: { fingerprint: string; revision: number; attemptTerminal: boolean; expiresAt?: number },
): Record<string, unknown> {
  const sortAt = record.startedAt ?? record.createdAt ?? record.observedAt;
  const item: Record<string, unknown> = {
    ...record,
    PK: keys.jobPk(record.source, record.jobId),
    SK: kind === 'job' ? keys.LATEST_SK : keys.revisionSk(meta.revision),
    kind,
    fingerprint: meta.fingerprint,
    revision: meta.revision,
    attemptTerminal: meta.attemptTerminal,
    sortAt,
    ...(meta.expiresAt === undefined ? {} : { expiresAt: meta.expiresAt }),
  };
  if (kind === 'job') {
    item.GSI1PK = keys.JOBS_GSI1PK;
    item.GSI1SK = keys.jobGsi1Sk(sortAt, record.source, record.jobId);
  }
  return item;
}

/** The record a latest-state or revision item holds (key and bookkeeping attributes dropped). */
export function recordFromItem(item: Record<string, unknown>): JobRecord {
  return JobRecord.parse(item);
}

/** A terminal run (`kind: run`). */
export const RunItem = Keyed.extend({
  kind: z.literal('run'),
  level: z.enum(['job', 'step']),
  source: JobSource,
  jobId: z.string(),
  attempt: z.number().int(),
  stepId: z.string().optional(),
  type: z.string(),
  jobType: z.string(),
  status: TerminalStatus,
  rawStatus: z.string().optional(),
  fleetId: z.string().optional(),
  clusterId: z.string().optional(),
  clusterIds: z.array(z.string()).optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  durationMs: z.number().optional(),
  belongsAt: z.string(),
});
export type RunItem = z.infer<typeof RunItem>;

/** Builds the item of a terminal run, indexed by level and hour on GSI2. */
export function runItem(run: TerminalRun, expiresAt?: number): Record<string, unknown> {
  return {
    ...run,
    PK: keys.jobPk(run.source, run.jobId),
    SK: keys.runSk(run.attempt, run.stepId),
    kind: 'run',
    GSI2PK: keys.runGsi2Pk(run.level, keys.hourBucket(run.belongsAt)),
    GSI2SK: keys.runGsi2Sk(run.belongsAt, run.source, run.jobId, run.attempt, run.stepId),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}

/** The run a run item holds. */
export function runFromItem(item: Record<string, unknown>): TerminalRun {
  const { PK: _pk, SK: _sk, kind: _kind, ...run } = RunItem.parse(item);
  return run;
}

/** Rollup attribute prefix of each terminal status. */
export const STATUS_CODE = { succeeded: 's', failed: 'f', timed_out: 't' } as const;

/** Attribute names of one status's figures in a rollup item (`sN`, `sSum`, `sB12` ...). */
export const rollupAttr = {
  runs: (c: string) => `${c}N`,
  withDuration: (c: string) => `${c}D`,
  sum: (c: string) => `${c}Sum`,
  min: (c: string) => `${c}Min`,
  max: (c: string) => `${c}Max`,
  zero: (c: string) => `${c}Z`,
  bin: (c: string, index: number) => `${c}B${index}`,
  /** Every bin folded into one binary attribute by compaction (`packBins`). */
  packed: (c: string) => `${c}P`,
};

/** The loose bin attributes of status code `c` in a rollup item: name -> [index, count]. */
function looseBins(item: Record<string, unknown>, c: string): Map<string, [number, number]> {
  const prefix = `${c}B`;
  const bins = new Map<string, [number, number]>();
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(prefix) && typeof value === 'number') {
      const index = Number(name.slice(prefix.length));
      if (Number.isInteger(index)) bins.set(name, [index, value]);
    }
  }
  return bins;
}

/** A rollup item whose packed bins do not decode. */
export class CorruptRollupError extends Error {
  override readonly name = 'CorruptRollupError';
}

/** Adds the packed bins of status code `c` (when present) to `sketch`, naming the item when they are corrupt. */
function addPackedBins(item: Record<string, unknown>, c: string, sketch: DurationSketch): void {
  const packed = item[rollupAttr.packed(c)];
  if (packed === undefined) return;
  const where = `rollup ${String(item.PK)} / ${String(item.SK)}, attribute ${rollupAttr.packed(c)}`;
  if (!(packed instanceof Uint8Array)) throw new CorruptRollupError(`${where}: expected binary, got ${typeof packed}`);
  try {
    unpackBins(packed, sketch);
  } catch (error) {
    throw new CorruptRollupError(`${where}: ${(error as Error).message}`);
  }
}

const RollupHeader = Keyed.extend({
  kind: z.literal('rollup'),
  level: z.enum(['job', 'step']),
  grouping: z.enum(['none', 'type', 'fleet', 'cluster']),
  scope: z.string(),
  key: z.string(),
  granularity: z.enum(['week', 'day', 'hour']),
  bucket: z.string(),
});

/** Reads a rollup item back into its bucket and aggregate. */
export function rollupFromItem(item: Record<string, unknown>): RollupBucket {
  const header = RollupHeader.parse(item);
  const aggregate: RunAggregate = emptyAggregate();
  const num = (name: string) => {
    const v = item[name];
    return typeof v === 'number' ? v : undefined;
  };
  for (const status of TERMINAL_STATUSES) {
    const c = STATUS_CODE[status];
    const s = aggregate[status];
    s.runs = num(rollupAttr.runs(c)) ?? 0;
    s.withDuration = num(rollupAttr.withDuration(c)) ?? 0;
    s.sumMs = num(rollupAttr.sum(c)) ?? 0;
    s.minMs = num(rollupAttr.min(c));
    s.maxMs = num(rollupAttr.max(c));
    s.sketch.zeroCount = num(rollupAttr.zero(c)) ?? 0;
    // Bins added since the last compaction are loose attributes; the rest are packed.
    addPackedBins(item, c, s.sketch);
    for (const [index, count] of looseBins(item, c).values()) s.sketch.addBin(index, count);
  }
  return {
    level: header.level,
    grouping: header.grouping,
    scope: header.scope,
    key: header.key,
    granularity: header.granularity,
    bucket: header.bucket,
    aggregate,
  };
}

/**
 * The compacted form of a rollup item: each status's loose bin attributes folded into its packed attribute,
 * everything else as it was. `undefined` when the item has no loose bins. Every run write `ADD`s to exactly
 * one `<c>N`, so `guard` (the run counts this was computed from) tells whether a write came in meanwhile.
 */
export function compactedRollupItem(item: Record<string, unknown>): { item: Record<string, unknown>; guard: Record<string, number | undefined>; binsFolded: number } | undefined {
  const out: Record<string, unknown> = { ...item };
  const guard: Record<string, number | undefined> = {};
  let binsFolded = 0;
  for (const status of TERMINAL_STATUSES) {
    const c = STATUS_CODE[status];
    const runs = item[rollupAttr.runs(c)];
    guard[rollupAttr.runs(c)] = typeof runs === 'number' ? runs : undefined;
    const loose = looseBins(item, c);
    if (loose.size === 0) continue;
    const sketch = new DurationSketch();
    addPackedBins(item, c, sketch);
    for (const [name, [index, count]] of loose) {
      sketch.addBin(index, count);
      delete out[name];
    }
    out[rollupAttr.packed(c)] = packBins(sketch.bins);
    binsFolded += loose.size;
  }
  return binsFolded ? { item: out, guard, binsFolded } : undefined;
}

/** A watched target (`kind: target`). */
export const TargetItem = Keyed.extend({
  kind: z.literal('target'),
  targetKind: z.enum(['fleet', 'policy-job']),
  id: z.string(),
  state: z.enum(['active', 'retired']),
  addedAt: z.string(),
  addedBy: z.enum(['discovery', 'api', 'config']),
  lastPolledAt: z.string().optional(),
  lastChangedAt: z.string().optional(),
  lastFingerprint: z.string().optional(),
  lastError: z.string().optional(),
  consecutiveFailures: z.number().int().default(0),
  nextPollAt: z.string(),
  terminalSince: z.string().optional(),
  retiredAt: z.string().optional(),
  retiredReason: z.string().optional(),
});

/** Builds a target item; active targets are indexed on GSI1 by next poll time. */
export function targetItem(target: Target): Record<string, unknown> {
  const { kind, ...rest } = target;
  return {
    ...rest,
    PK: keys.targetPk(kind),
    SK: keys.targetSk(target.id),
    kind: 'target',
    targetKind: kind,
    ...(target.state === 'active'
      ? { GSI1PK: keys.activeTargetGsi1Pk(kind), GSI1SK: keys.activeTargetGsi1Sk(target.nextPollAt, target.id) }
      : {}),
  };
}

/** The target a target item holds. */
export function targetFromItem(item: Record<string, unknown>): Target {
  const { PK: _pk, SK: _sk, kind: _kind, targetKind, ...rest } = TargetItem.parse(item);
  return { kind: targetKind, ...rest };
}
