import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { normalizePolicyJob } from '../../lib/jobs/normalize';
import type { JobRecord } from '../../lib/jobs/record';
import { compactRollups } from '../../lib/stats/compaction';
import { DynamoDbJobStore } from '../../lib/store/dynamodb-store';
import { CorruptRollupError } from '../../lib/store/items';
import * as keys from '../../lib/store/keys';
import type { RollupBucket } from '../../lib/store/port';
import { PolicyJob } from '../../lib/ucs/schemas';
import { seededRandom } from '../support/stats-oracle';
import { createTestStore } from './support/store';
import { parseInstantMicros } from '../../lib/jobs/time';
import type { Granularity } from '../../lib/rollup/buckets';
import type { Level } from '../../lib/jobs/runs';
import type { RollupGrouping } from '../../lib/rollup/groups';

const seed = readFileSync(join(__dirname, '..', 'fixtures', 'ucs', 'policy-job.seed.json'), 'utf8');
const DAY_START = Date.parse('2025-11-10T00:00:00Z');
const TYPES = ['UpdateConstraint', 'CreatePolicy', 'DeletePolicy'];

/** Terminal policy jobs `from..to-1` of one day, each with one cluster task, with spread-out durations. */
function jobs(from: number, to: number): JobRecord[] {
  const random = seededRandom(from * 7919 + to);
  return Array.from({ length: to - from }, (_, n) => {
    const i = from + n;
    const raw = JSON.parse(seed) as { metadata: Record<string, unknown>; spec: Record<string, unknown> & { taskList: { spec: Record<string, unknown>; status: Record<string, unknown> }[] }; status: Record<string, unknown> };
    const start = DAY_START + Math.floor(random() * 20 * 3_600_000);
    const durationMs = Math.round(random() ** 3 * 3_000_000) + 1;
    const status = random() < 0.25 ? 'Failed' : 'Succeeded';
    raw.metadata.uid = `job-${i}`;
    raw.metadata.name = `job-${i}`;
    raw.spec.type = TYPES[i % TYPES.length];
    raw.status = { status, startTime: new Date(start).toISOString(), finishTime: new Date(start + durationMs).toISOString() };
    const task = raw.spec.taskList[0]!;
    task.spec.type = raw.spec.type;
    task.spec.target = `cluster-${i % 4}`;
    task.status = { status, startTime: new Date(start).toISOString(), finishTime: new Date(start + Math.ceil(durationMs / 3)).toISOString() };
    return normalizePolicyJob(PolicyJob.parse(raw), { observedAt: new Date(start + durationMs + 1000).toISOString() });
  });
}

async function record(store: DynamoDbJobStore, records: readonly JobRecord[]): Promise<void> {
  for (const r of records) expect((await store.recordObservation(r)).outcome).toBe('changed');
}

/** Every partition these jobs feed, in both granularities: what the statistics can read. */
const PARTITIONS: [Level, RollupGrouping, string][] = [
  ['job', 'none', '*'],
  ['job', 'type', '*'],
  ['step', 'none', '*'],
  ['step', 'type', '*'],
  ['step', 'cluster', '*'],
  ['step', 'cluster', 'source=policy'],
  ['step', 'cluster', 'type=policy/CreatePolicy'],
];

/** Every rollup of the day, as the statistics read them, in a comparable form. */
async function rollups(store: DynamoDbJobStore) {
  const out: Record<string, unknown> = {};
  for (const [level, grouping, scope] of PARTITIONS) {
    for (const [granularity, from, to] of [['week', '2025-11-10', '2025-11-17'], ['day', '2025-11-10', '2025-11-11'], ['hour', '2025-11-10T00', '2025-11-11T00']] as [Granularity, string, string][]) {
      for (const r of await store.readRollups({ level: level, grouping: grouping, scope: scope, granularity: granularity, fromBucket: from, toBucket: to })) out[`${level}|${grouping}|${scope}|${r.bucket}|${r.key}`] = comparable(r);
    }
  }
  return out;
}

function comparable(r: RollupBucket) {
  return Object.fromEntries(
    Object.entries(r.aggregate).map(([status, s]) => [
      status,
      { ...s, sumMs: Math.round(s.sumMs * 1000), sketch: { zero: s.sketch.zeroCount, bins: [...s.sketch.bins].sort(([a], [b]) => a - b) } },
    ]),
  );
}

const RANGE = { from: parseInstantMicros('2025-11-10T00:00:00Z')!, to: parseInstantMicros('2025-11-11T00:00:00Z')! };

async function rawRollup(doc: DynamoDBDocumentClient, tableName: string, level: Level, grouping: RollupGrouping, scope: string, granularity: Granularity, bucket: string, key: string) {
  const out = await doc.send(new GetCommand({ TableName: tableName, Key: { PK: keys.rollupPk(level, grouping, scope), SK: keys.rollupSk(granularity, bucket, key) } }));
  return out.Item!;
}

const looseBins = (item: Record<string, unknown>) => Object.keys(item).filter((name) => /^[sft]B-?\d+$/.test(name));

// Each test writes ~100 runs through the real path; on a loaded 2-core CI machine that took up to 18 s.
describe('rollup compaction against DynamoDB Local', () => {
  it('packs the loose bins of every partition, reads the same figures, and keeps counting after it', async () => {
    const compacted = await createTestStore('compact');
    const reference = await createTestStore('reference');
    const first = jobs(0, 60);
    await Promise.all([record(compacted.store, first), record(reference.store, first)]);
    const before = await rollups(compacted.store);
    expect(Object.keys(before).length).toBeGreaterThan(100);

    const summary = await compactRollups(compacted.store, RANGE);
    expect(summary.raced).toBe(0);
    expect(summary.compacted).toBeGreaterThan(100);
    expect(summary.binsFolded).toBeGreaterThan(summary.compacted);
    // Fleet partitions (empty here) and the per-type cluster scopes come from the type keys.
    const scopes = 1 + 2 + TYPES.length; // '*', one per source, one per type key
    // week/day/hour × job: type, none, fleet; step: + cluster; twice, as every run here is a first attempt and
    // first attempts are also counted in partitions of their own (`/first`).
    expect(summary.partitions).toBe(2 * (3 * (1 + 1 + scopes) + 3 * (1 + 1 + 2 * scopes)));
    expect(await rollups(compacted.store)).toEqual(before);

    const day = await rawRollup(compacted.doc, compacted.tableName, 'job', 'none', '*', 'day', '2025-11-10', 'all');
    // Compacted: the keys, the kind and one packed attribute per status that has runs (no timed-out runs here).
    expect(Object.keys(day).sort()).toEqual(['PK', 'SK', 'fP', 'kind', 'sP']);
    expect(day.sP).toBeInstanceOf(Uint8Array);

    // Runs after a compaction add loose bins again, and reads merge both.
    const second = jobs(60, 80);
    await Promise.all([record(compacted.store, second), record(reference.store, second)]);
    expect(looseBins(await rawRollup(compacted.doc, compacted.tableName, 'job', 'none', '*', 'day', '2025-11-10', 'all')).length).toBeGreaterThan(0);
    expect(await rollups(compacted.store)).toEqual(await rollups(reference.store));
    expect((await compactRollups(compacted.store, RANGE)).compacted).toBeGreaterThan(0);
    expect(await rollups(compacted.store)).toEqual(await rollups(reference.store));

    // A pass with nothing loose writes nothing.
    const writes = compacted.store.capacity.writeRequests;
    expect(await compactRollups(compacted.store, RANGE)).toMatchObject({ compacted: 0, binsFolded: 0 });
    expect(compacted.store.capacity.writeRequests).toBe(writes);
  });

  it('leaves an item that gains a run between its read and its rewrite, losing nothing', async () => {
    const { store, doc, tableName } = await createTestStore('compact-race');
    const reference = await createTestStore('race-reference');
    const first = jobs(0, 12);
    const late = jobs(12, 13);
    await record(store, first);
    await record(reference.store, [...first, ...late]);

    // The rewrite of the job-level day rollup (read before) waits for another collector to count a run into it.
    let interleaved = false;
    const racingDoc = new Proxy(doc, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver) as unknown;
        return async (command: unknown) => {
          if (!interleaved && command instanceof PutCommand && command.input.Item?.PK === keys.rollupPk('job', 'none', '*') && String(command.input.Item.SK).startsWith('D#')) {
            interleaved = true;
            await record(store, late);
          }
          return target.send(command as PutCommand);
        };
      },
    });
    const compactor = new DynamoDbJobStore({ client: racingDoc, tableName });
    const summary = await compactRollups(compactor, RANGE);
    expect(interleaved).toBe(true);
    expect(summary.raced).toBeGreaterThanOrEqual(1);
    expect(await rollups(store)).toEqual(await rollups(reference.store));
    // The next pass picks the raced items up.
    await compactRollups(store, RANGE);
    expect(looseBins(await rawRollup(doc, tableName, 'job', 'none', '*', 'day', '2025-11-10', 'all'))).toEqual([]);
    expect(await rollups(store)).toEqual(await rollups(reference.store));
  });

  it('refuses corrupt packed bins with an error naming the item, and rewrites nothing', async () => {
    const { store, doc, tableName } = await createTestStore('compact-corrupt');
    await record(store, jobs(0, 10));
    const key = { PK: keys.rollupPk('job', 'none', '*'), SK: keys.rollupSk('day', '2025-11-10', 'all') };
    await doc.send(new UpdateCommand({ TableName: tableName, Key: key, UpdateExpression: 'SET sP = :p', ExpressionAttributeValues: { ':p': Uint8Array.from([1, 5, 0]) } }));
    const stored = await rawRollup(doc, tableName, 'job', 'none', '*', 'day', '2025-11-10', 'all');

    const read = store.readRollups({ level: 'job', grouping: 'none', scope: '*', granularity: 'day', fromBucket: '2025-11-10', toBucket: '2025-11-11' });
    await expect(read).rejects.toBeInstanceOf(CorruptRollupError);
    await expect(read).rejects.toThrow(/rollup ROLLUP#job#none#\* \/ D#2025-11-10#all, attribute sP: packed figures end inside the zero-duration count at byte 3/);
    await expect(compactRollups(store, RANGE)).rejects.toThrow(/D#2025-11-10#all, attribute sP/);
    expect(await rawRollup(doc, tableName, 'job', 'none', '*', 'day', '2025-11-10', 'all')).toEqual(stored);
  });
});
