import * as z from 'zod';
import { JobRecord } from '../jobs/record';
import { ServiceEvent } from '../jobs/events';
import { Alert, alertSubject } from '../jobs/alert';
import { StoredState, TerminalRun } from '../jobs/runs';
import { Target, TargetKind } from '../jobs/target';
import { microsOf } from '../jobs/time';
import { emptyAggregate, mergeAggregate, TERMINAL_STATUSES, type RunAggregate, type StatusAggregate } from '../rollup/aggregate';
import { hourBucketOf } from '../rollup/buckets';
import { DurationSketch } from '../rollup/sketch';
import { packStatus, unpackStatus } from './packed-status';
import type { RollupBucket } from './port';
import * as keys from './keys';

/**
 * The item shapes of the history table, validated with zod when read back (STYLE.md #2), and the
 * `toItem`/`fromItem` pairs. Items are export-friendly: flat scalars, ISO times, numeric durations, a `kind`.
 */

/** What every item says it is; the export analyzer rejects any other kind. */
export const ItemKind = z.enum(['job', 'revision', 'run', 'rollup', 'target', 'meta', 'outbox', 'overdue', 'alert', 'alert-open']);
export type ItemKind = z.infer<typeof ItemKind>;

const Keyed = z.object({ PK: z.string(), SK: z.string() });

/** The latest state (`kind: job`) and each revision (`kind: revision`) of a job. */
export const JobStateItem = Keyed.extend(StoredState.shape).extend({
  kind: z.enum(['job', 'revision']),
  sortAt: z.string(),
});
export type JobStateItem = z.infer<typeof JobStateItem>;

/** Builds the latest-state or revision item of a record. */
export function jobStateItem(
  kind: 'job' | 'revision',
  record: JobRecord,
  meta: Pick<StoredState, 'fingerprint' | 'revision' | 'attemptTerminal'> & { expiresAt?: number },
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
    // Sparse: only jobs in flight, so the overdue listing never reads a finished job.
    if (keys.isInFlight(record.status)) {
      item.GSI2PK = keys.IN_FLIGHT_GSI2PK;
      item.GSI2SK = keys.jobGsi1Sk(sortAt, record.source, record.jobId);
    }
  }
  return item;
}

/** The record a latest-state or revision item holds (key and bookkeeping attributes dropped). */
export function recordFromItem(item: Record<string, unknown>): JobRecord {
  return JobRecord.parse(item);
}

/** A terminal run (`kind: run`). */
export const RunItem = Keyed.extend(TerminalRun.shape).extend({ kind: z.literal('run') });
export type RunItem = z.infer<typeof RunItem>;

/** Builds the item of a terminal run, indexed by level and hour on GSI2. */
export function runItem(run: TerminalRun, expiresAt?: number): Record<string, unknown> {
  return {
    ...run,
    PK: keys.jobPk(run.source, run.jobId),
    SK: keys.runSk(run.attempt, run.stepId),
    kind: 'run',
    GSI2PK: keys.runGsi2Pk(run.level, hourBucketOf(microsOf(run.belongsAt))),
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
  /** All of a status's figures, folded into one binary attribute by compaction (`packStatus`). */
  packed: (c: string) => `${c}P`,
};

/** A rollup item that cannot be read: a bad key, or packed figures that do not decode. */
export class CorruptRollupError extends Error {
  override readonly name = 'CorruptRollupError';
}

/** The attributes a compacted rollup item keeps; anything else is a loose figure written since. */
const COMPACT_ATTRIBUTES = new Set(['PK', 'SK', 'kind', 'expiresAt', ...Object.values(STATUS_CODE).map(rollupAttr.packed)]);

/** The loose figures of status code `c` (what run writes ADD and SET), and how many loose bins they hold. */
function looseStatus(item: Record<string, unknown>, c: string): { status: StatusAggregate; bins: number } {
  const num = (name: string) => {
    const v = item[name];
    return typeof v === 'number' ? v : undefined;
  };
  const sketch = new DurationSketch();
  sketch.zeroCount = num(rollupAttr.zero(c)) ?? 0;
  const prefix = `${c}B`;
  let bins = 0;
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(prefix) || typeof value !== 'number') continue;
    const index = Number(name.slice(prefix.length));
    if (!Number.isInteger(index)) continue;
    sketch.addBin(index, value);
    bins += 1;
  }
  const status: StatusAggregate = {
    runs: num(rollupAttr.runs(c)) ?? 0,
    withDuration: num(rollupAttr.withDuration(c)) ?? 0,
    sumMs: num(rollupAttr.sum(c)) ?? 0,
    sketch,
  };
  const min = num(rollupAttr.min(c));
  const max = num(rollupAttr.max(c));
  if (min !== undefined) status.minMs = min;
  if (max !== undefined) status.maxMs = max;
  return { status, bins };
}

/** The aggregate of a rollup item: its packed figures (from compaction) plus the loose ones written since. */
function rollupAggregate(item: Record<string, unknown>): { aggregate: RunAggregate; looseBins: number } {
  const packed = emptyAggregate();
  // Most items a query reads are compacted: no loose figures to collect and merge.
  const loose = isCompact(item) ? undefined : emptyAggregate();
  let looseBins = 0;
  for (const status of TERMINAL_STATUSES) {
    const c = STATUS_CODE[status];
    if (loose) {
      const l = looseStatus(item, c);
      loose[status] = l.status;
      looseBins += l.bins;
    }
    const bytes = item[rollupAttr.packed(c)];
    if (bytes === undefined) continue;
    const where = `rollup ${String(item.PK)} / ${String(item.SK)}, attribute ${rollupAttr.packed(c)}`;
    if (!(bytes instanceof Uint8Array)) throw new CorruptRollupError(`${where}: expected binary, got ${typeof bytes}`);
    try {
      packed[status] = unpackStatus(bytes);
    } catch (error) {
      throw new CorruptRollupError(`${where}: ${(error as Error).message}`);
    }
  }
  // Min/max merge by min/max: a loose min written after compaction competes with the packed one.
  return { aggregate: loose ? mergeAggregate(packed, loose) : packed, looseBins };
}

/** True when a rollup item holds nothing but its keys, kind, expiry and packed figures. */
function isCompact(item: Record<string, unknown>): boolean {
  for (const name in item) if (!COMPACT_ATTRIBUTES.has(name)) return false;
  return true;
}

/** Reads a rollup item back into its bucket and aggregate; what it groups comes from its keys. */
export function rollupFromItem(item: Record<string, unknown>): RollupBucket {
  const slot = typeof item.PK === 'string' && typeof item.SK === 'string' ? keys.parseRollupKey(item.PK, item.SK) : undefined;
  if (!slot) throw new CorruptRollupError(`rollup ${String(item.PK)} / ${String(item.SK)}: not a rollup key`);
  return { ...slot, aggregate: rollupAggregate(item).aggregate };
}

/**
 * The compacted form of a rollup item: PK, SK, `kind`, `expiresAt` and one packed attribute per status that
 * has runs, holding the packed and loose figures merged. `undefined` when the item is compact already. Every
 * run write `ADD`s 1 to exactly one loose `<c>N`, so `guard` (the loose run counts it was computed from) tells
 * whether a write came in meanwhile.
 */
export function compactedRollupItem(
  item: Record<string, unknown>,
): { item: Record<string, unknown>; guard: Record<string, number | undefined>; binsFolded: number } | undefined {
  if (isCompact(item)) return undefined;
  const { aggregate, looseBins } = rollupAggregate(item); // throws on corrupt packed figures: nothing is rewritten
  const out: Record<string, unknown> = { PK: item.PK, SK: item.SK, kind: 'rollup' };
  if (item.expiresAt !== undefined) out.expiresAt = item.expiresAt;
  const guard: Record<string, number | undefined> = {};
  for (const status of TERMINAL_STATUSES) {
    const c = STATUS_CODE[status];
    const runs = item[rollupAttr.runs(c)];
    guard[rollupAttr.runs(c)] = typeof runs === 'number' ? runs : undefined;
    if (aggregate[status].runs > 0) out[rollupAttr.packed(c)] = packStatus(aggregate[status]);
  }
  return { item: out, guard, binsFolded: looseBins };
}

/** A watched target (`kind: target`); its kind is `targetKind`, since `kind` names the item's kind. */
export const TargetItem = Keyed.extend(Target.omit({ kind: true }).shape).extend({
  kind: z.literal('target'),
  targetKind: TargetKind,
  consecutiveFailures: Target.shape.consecutiveFailures.default(0),
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

/** An event waiting in the outbox (`kind: outbox`). */
export const OutboxItem = Keyed.extend({ kind: z.literal('outbox'), event: ServiceEvent, createdAt: z.string() });

/** Builds the outbox item of an event. */
export function outboxItem(event: ServiceEvent, createdAt: string, expiresAt?: number): Record<string, unknown> {
  return { PK: keys.OUTBOX_PK, SK: keys.outboxSk(event.detail.id), kind: 'outbox', event, createdAt, ...(expiresAt === undefined ? {} : { expiresAt }) };
}

/** The event an outbox item holds. */
export function eventFromItem(item: Record<string, unknown>): ServiceEvent {
  return OutboxItem.parse(item).event;
}

/** An alert episode (`kind: alert`); open ones are indexed on GSI1 `ALERTS#OPEN`. */
export const AlertItem = Keyed.extend(Alert.shape).extend({ kind: z.literal('alert'), alertKind: Alert.shape.kind });

/** Builds the item of an alert episode (its `kind` attribute is the item's, so the alert's is `alertKind`). */
export function alertItem(alert: Alert): Record<string, unknown> {
  const { kind, ...rest } = alert;
  const sk = keys.alertSk(alert.openedAt, alert.alertId);
  return {
    ...rest,
    PK: keys.ALERTS_PK,
    SK: sk,
    kind: 'alert',
    alertKind: kind,
    ...(alert.closedAt === undefined && { GSI1PK: keys.OPEN_ALERTS_GSI1PK, GSI1SK: sk }),
  };
}

/** The alert an alert item holds. */
export function alertFromItem(item: Record<string, unknown>): Alert {
  const { PK: _pk, SK: _sk, kind: _kind, alertKind, ...rest } = AlertItem.parse(item);
  return { ...rest, kind: alertKind };
}

/** The open mark of a subject (`kind: alert-open`), holding a copy of its open alert so an evaluation reads one partition. */
export const OpenAlertItem = Keyed.extend({ kind: z.literal('alert-open'), alertId: z.string(), alert: Alert });

/** Builds the open mark of an alert's subject. */
export function openAlertItem(alert: Alert): Record<string, unknown> {
  return { PK: keys.OPEN_ALERT_PK, SK: keys.openAlertSk(alertSubject(alert)), kind: 'alert-open', alertId: alert.alertId, alert };
}

/** The open alert an open mark holds. */
export function openAlertFromItem(item: Record<string, unknown>): Alert {
  return OpenAlertItem.parse(item).alert;
}
