// A bulk loader for the statistics scenario: writes the run and rollup items that `recordObservation` would
// write for the same records, with BatchWriteItem instead of one transaction per run. DynamoDB Local manages
// ~100 transactions/s here, so 100,000 jobs through the real path would take hours; run.ts proves, in the same
// bench run, that this loader and the real path leave identical run and rollup items (`compareTables`).
import { BatchWriteCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { JobRecord } from '../../lib/jobs/record';
import { STATUS_CODE, rollupAttr, runItem } from '../../lib/store/items';
import { newTerminalRuns, type TerminalRun } from '../../lib/jobs/runs';
import { rollupSlots } from '../../lib/rollup/groups';
import { binIndex } from '../../lib/rollup/sketch';
import { rollupBuckets } from '../../lib/rollup/buckets';
import { microsOf } from '../../lib/jobs/time';
import * as keys from '../../lib/store/keys';

type Item = Record<string, unknown>;

/** The run items and the summed rollup items of `records`, as the real write path would leave them. */
export function itemsOf(records: Iterable<JobRecord>): Item[] {
  return itemsOfRuns([...records].flatMap((record) => newTerminalRuns(record, undefined)));
}

/** The run items and the summed rollup items of terminal runs (the alert tests load a simulator's ground truth). */
export function itemsOfRuns(runs: Iterable<TerminalRun>): Item[] {
  const items: Item[] = [];
  const rollups = new Map<string, Item>();
  {
    for (const run of runs) {
      items.push(runItem(run));
      const c = STATUS_CODE[run.status];
      for (const slot of rollupSlots(run)) {
        for (const { granularity, bucket } of rollupBuckets(microsOf(run.belongsAt))) {
          const PK = keys.rollupPk(run.level, slot.grouping, slot.scope, slot.attempts);
          const SK = keys.rollupSk(granularity, bucket, slot.key);
          let item = rollups.get(`${PK}|${SK}`);
          if (!item) {
            item = { PK, SK, kind: 'rollup' };
            rollups.set(`${PK}|${SK}`, item);
          }
          const add = (name: string, n: number) => (item[name] = ((item[name] as number | undefined) ?? 0) + n);
          add(rollupAttr.runs(c), 1);
          const d = run.durationMs;
          if (d === undefined) continue;
          add(rollupAttr.withDuration(c), 1);
          add(rollupAttr.sum(c), d);
          const bin = binIndex(d);
          add(bin === null ? rollupAttr.zero(c) : rollupAttr.bin(c, bin), 1);
          const min = item[rollupAttr.min(c)] as number | undefined;
          const max = item[rollupAttr.max(c)] as number | undefined;
          if (min === undefined || d < min) item[rollupAttr.min(c)] = d;
          if (max === undefined || d > max) item[rollupAttr.max(c)] = d;
        }
      }
    }
  }
  return [...items, ...rollups.values()];
}

/** Writes items with BatchWriteItem, `concurrency` batches of 25 in flight, retrying unprocessed items. */
export async function batchWrite(doc: DynamoDBDocumentClient, tableName: string, items: Item[], concurrency = 16): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      let batch = items.slice(next, (next += 25)).map((Item) => ({ PutRequest: { Item } }));
      while (batch.length) {
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: batch } }));
        batch = (out.UnprocessedItems?.[tableName] ?? []) as typeof batch;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Every run and rollup item of a table, keyed `PK|SK` (a Scan: bench only, never a service path). */
export async function runAndRollupItems(doc: DynamoDBDocumentClient, tableName: string): Promise<Map<string, Item>> {
  const out = new Map<string, Item>();
  let startKey: Item | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) if (item.kind === 'run' || item.kind === 'rollup') out.set(`${String(item.PK)}|${String(item.SK)}`, item);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return out;
}

/**
 * The differences between two tables' run and rollup items (empty = identical). Sums are compared within
 * 1e-9 relative: DynamoDB adds decimals exactly, JavaScript in binary floating point.
 */
export function compareTables(a: Map<string, Item>, b: Map<string, Item>): string[] {
  const problems: string[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(key);
    const y = b.get(key);
    if (!x || !y) {
      problems.push(`${key}: only in ${x ? 'the real-path table' : 'the bulk-loaded table'}`);
      continue;
    }
    for (const name of new Set([...Object.keys(x), ...Object.keys(y)])) {
      const u = x[name];
      const v = y[name];
      const same =
        typeof u === 'number' && typeof v === 'number' ? Math.abs(u - v) <= 1e-9 * Math.max(1, Math.abs(u)) : JSON.stringify(u) === JSON.stringify(v);
      if (!same) problems.push(`${key}.${name}: ${JSON.stringify(u)} ≠ ${JSON.stringify(v)}`);
    }
  }
  return problems;
}
