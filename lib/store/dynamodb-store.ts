import { TransactionCanceledException, type ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '../aws/dynamodb';
import { fingerprint } from '../jobs/fingerprint';
import { definedOnly, isTerminal, type JobRecord, type JobSource } from '../jobs/record';
import { logger } from '../observability';
import { binIndex } from '../stats/sketch';
import {
  JobStateItem,
  STATUS_CODE,
  jobStateItem,
  recordFromItem,
  rollupAttr,
  compactedRollupItem,
  rollupFromItem,
  runFromItem,
  runItem,
  targetFromItem,
  targetItem,
} from './items';
import * as keys from './keys';
import {
  InvalidPositionError,
  type JobListFilter,
  type JobStore,
  type Level,
  type ObservationResult,
  type Page,
  type RollupBucket,
  type PartitionCompaction,
  type RollupRange,
  type Target,
  type TargetKind,
  type TerminalRun,
} from './port';
import { mapConcurrently } from '../concurrency';
import { rollupSlots } from './rollups';

/** Options of the DynamoDB adapter. */
export interface DynamoDbJobStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Days to keep items (DynamoDB TTL on `expiresAt`); undefined keeps everything. */
  retentionDays?: number;
}

/** Read and write units this store instance consumed, as DynamoDB reported them. */
export interface CapacityCounters {
  readUnits: number;
  writeUnits: number;
  /** Write requests sent (PutItem, UpdateItem, TransactWriteItems ...), whatever their outcome. */
  writeRequests: number;
}

/** Thrown when optimistic concurrency keeps losing; the next poll simply tries again. */
export class ContentionError extends Error {
  override name = 'ContentionError';
}

const MAX_ROUNDS = 12;
/** Concurrent item rewrites while compacting one rollup partition. */
const COMPACTION_CONCURRENCY = 8;
const HOUR_MS = 3_600_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The record state the next observation is compared with. */
type Latest = JobStateItem;

/** True when a run's transaction failed on its first item's condition: the run item exists, counted before. */
function runAlreadyCounted(error: unknown): boolean {
  return error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed';
}

/** A jittered wait before retrying a conflicting write, growing with the round. */
const backoff = (round: number) => sleep(Math.random() * 20 * (round + 1));

function isConflict(error: unknown): boolean {
  if (error instanceof TransactionCanceledException) {
    return (error.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict' || r.Code === 'ConditionalCheckFailed');
  }
  return (error as { name?: string }).name === 'TransactionConflictException';
}

/**
 * The history store on one DynamoDB table (key design: KEYS.md). Exactly-once counting rests on run items
 * whose key is (job, attempt, step): a run and every rollup it feeds are written in one transaction that
 * requires the run item not to exist yet, so concurrent or repeated collectors cannot count it twice.
 */
export class DynamoDbJobStore implements JobStore {
  readonly capacity: CapacityCounters = { readUnits: 0, writeUnits: 0, writeRequests: 0 };
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly retentionSec?: number;

  constructor(options: DynamoDbJobStoreOptions) {
    this.client = options.client;
    this.table = options.tableName;
    this.retentionSec = options.retentionDays === undefined ? undefined : options.retentionDays * 86_400;
  }

  /**
   * Adds reported capacity. DynamoDB Local (and on-demand tables for some calls) report only the total
   * `CapacityUnits`, so the split comes from the kind of request that consumed it.
   */
  private track(consumed: ConsumedCapacity | ConsumedCapacity[] | undefined, kind: 'read' | 'write' = 'read'): void {
    for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
      if (c.ReadCapacityUnits !== undefined || c.WriteCapacityUnits !== undefined) {
        this.capacity.readUnits += c.ReadCapacityUnits ?? 0;
        this.capacity.writeUnits += c.WriteCapacityUnits ?? 0;
      } else if (kind === 'write') this.capacity.writeUnits += c.CapacityUnits ?? 0;
      else this.capacity.readUnits += c.CapacityUnits ?? 0;
    }
  }

  private expiresAt(iso: string): number | undefined {
    if (this.retentionSec === undefined) return undefined;
    return Math.floor(Date.parse(iso) / 1000) + this.retentionSec;
  }

  /** Sends a write and counts it; failed conditional writes also cost capacity, unreported by DynamoDB. */
  private async write(command: PutCommand | TransactWriteCommand): Promise<void> {
    this.capacity.writeRequests += 1;
    const out = command instanceof PutCommand ? await this.client.send(command) : await this.client.send(command);
    this.track(out.ConsumedCapacity, 'write');
  }

  private async query(input: Omit<QueryCommandInput, 'TableName'>): Promise<{ items: Record<string, unknown>[]; lastKey?: Record<string, unknown> }> {
    const out = await this.client.send(
      new QueryCommand({ ...input, TableName: this.table, ReturnConsumedCapacity: 'TOTAL' }),
    );
    this.track(out.ConsumedCapacity);
    return { items: out.Items ?? [], lastKey: out.LastEvaluatedKey };
  }

  private async queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.query({ ...input, ExclusiveStartKey: startKey });
      items.push(...page.items);
      startKey = page.lastKey;
    } while (startKey);
    return items;
  }

  private async getItem(pk: string, sk: string, consistent = true): Promise<Record<string, unknown> | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.table, Key: { PK: pk, SK: sk }, ConsistentRead: consistent, ReturnConsumedCapacity: 'TOTAL' }),
    );
    this.track(out.ConsumedCapacity);
    return out.Item;
  }

  private async getLatest(source: JobSource, jobId: string): Promise<Latest | undefined> {
    const item = await this.getItem(keys.jobPk(source, jobId), keys.LATEST_SK);
    return item ? JobStateItem.parse(item) : undefined;
  }

  /** {@inheritDoc JobStore.recordObservation} */
  async recordObservation(record: JobRecord, fp = fingerprint(record)): Promise<ObservationResult> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const latest = await this.getLatest(record.source, record.jobId);
      if (latest && record.observedAt < latest.observedAt) {
        return { outcome: 'stale', attempt: latest.attempt, newRuns: 0 };
      }
      if (latest && latest.fingerprint === fp) return { outcome: 'unchanged', attempt: latest.attempt, newRuns: 0 };

      const { attempt, previous } = nextAttempt(latest, record);
      const stored: JobRecord = { ...record, attempt };
      let newRuns = 0;
      for (const run of newTerminalRuns(stored, previous)) {
        if (await this.countRun(run)) newRuns += 1;
      }
      const attemptTerminal = (previous?.attemptTerminal ?? false) || isTerminal(stored.status);
      const revision = (latest?.revision ?? 0) + 1;
      const meta = { fingerprint: fp, revision, attemptTerminal, expiresAt: this.expiresAt(stored.observedAt) };
      try {
        await this.write(
          new TransactWriteCommand({
            ReturnConsumedCapacity: 'TOTAL',
            TransactItems: [
              {
                Put: {
                  TableName: this.table,
                  Item: jobStateItem('revision', stored, meta),
                  ConditionExpression: 'attribute_not_exists(PK)',
                },
              },
              {
                Put: {
                  TableName: this.table,
                  Item: jobStateItem('job', stored, meta),
                  ...(latest
                    ? { ConditionExpression: 'revision = :prev', ExpressionAttributeValues: { ':prev': latest.revision } }
                    : { ConditionExpression: 'attribute_not_exists(PK)' }),
                },
              },
            ],
          }),
        );
        return { outcome: 'changed', attempt, newRuns };
      } catch (error) {
        if (!isConflict(error)) throw error;
        // Another collector stored a state first: compare against it.
        await backoff(round);
      }
    }
    throw new ContentionError(`gave up recording ${record.source} job ${record.jobId} after ${MAX_ROUNDS} conflicting writes`);
  }

  /**
   * Writes a run item and adds it to every rollup it belongs to, in one transaction conditioned on the run
   * item not existing. Returns false when the run was already counted. Min/max are exact: the rollup items
   * are read first, and a lower min (higher max) is written only under a condition that it is still lower.
   */
  private async countRun(run: TerminalRun): Promise<boolean> {
    const code = STATUS_CODE[run.status];
    const minName = rollupAttr.min(code);
    const maxName = rollupAttr.max(code);
    const buckets = keys.rollupBuckets(run.belongsAt);
    const targets = rollupSlots(run).flatMap((slot) =>
      buckets.map((b) => ({
        key: { PK: keys.rollupPk(run.level, slot.grouping, slot.scope), SK: keys.rollupSk(b.granularity, b.bucket, slot.key) },
        // A rollup lives for the retention period after its bucket ends, like the last run it can hold.
        expiresAt: this.expiresAt(b.endsAt),
      })),
    );
    const d = run.durationMs;
    const bin = d === undefined ? undefined : binIndex(d);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const current = new Map<string, Record<string, unknown>>();
      if (d !== undefined) {
        const out = await this.client.send(
          new BatchGetCommand({
            RequestItems: {
              [this.table]: {
                Keys: targets.map((t) => t.key),
                ProjectionExpression: 'PK, SK, #min, #max',
                ExpressionAttributeNames: { '#min': minName, '#max': maxName },
                ConsistentRead: round > 0,
              },
            },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        this.track(out.ConsumedCapacity);
        for (const item of out.Responses?.[this.table] ?? []) current.set(`${String(item.PK)}|${String(item.SK)}`, item);
      }
      const updates = targets.map(({ key, expiresAt }) => {
        // What the rollup groups is in its keys (keys.parseRollupKey): every attribute costs each read.
        const names: Record<string, string> = { '#kind': 'kind', '#n': rollupAttr.runs(code) };
        const values: Record<string, unknown> = { ':kind': 'rollup', ':one': 1 };
        const set = ['#kind = :kind'];
        const add = ['#n :one'];
        const conditions: string[] = [];
        if (expiresAt !== undefined) {
          set.push('#exp = :exp');
          names['#exp'] = 'expiresAt';
          values[':exp'] = expiresAt;
        }
        if (d !== undefined) {
          names['#d'] = rollupAttr.withDuration(code);
          names['#sum'] = rollupAttr.sum(code);
          names['#bin'] = bin === null || bin === undefined ? rollupAttr.zero(code) : rollupAttr.bin(code, bin);
          values[':dur'] = d;
          add.push('#d :one', '#sum :dur', '#bin :one');
          const cur = current.get(`${key.PK}|${key.SK}`);
          const curMin = cur?.[minName];
          const curMax = cur?.[maxName];
          if (typeof curMin !== 'number' || d < curMin) {
            names['#min'] = minName;
            set.push('#min = :dur');
            conditions.push('(attribute_not_exists(#min) OR #min > :dur)');
          }
          if (typeof curMax !== 'number' || d > curMax) {
            names['#max'] = maxName;
            set.push('#max = :dur');
            conditions.push('(attribute_not_exists(#max) OR #max < :dur)');
          }
        }
        return {
          Update: {
            TableName: this.table,
            Key: key,
            UpdateExpression: `SET ${set.join(', ')} ADD ${add.join(', ')}`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ...(conditions.length ? { ConditionExpression: conditions.join(' AND ') } : {}),
          },
        };
      });
      try {
        await this.write(
          new TransactWriteCommand({
            ReturnConsumedCapacity: 'TOTAL',
            TransactItems: [
              {
                Put: {
                  TableName: this.table,
                  Item: runItem(run, this.expiresAt(run.belongsAt)),
                  ConditionExpression: 'attribute_not_exists(PK)',
                },
              },
              ...updates,
            ],
          }),
        );
        return true;
      } catch (error) {
        if (runAlreadyCounted(error)) return false;
        if (!isConflict(error)) throw error;
        await backoff(round);
      }
    }
    throw new ContentionError(`gave up counting run ${run.source}/${run.jobId}#${run.attempt}${run.stepId ? `/${run.stepId}` : ''}`);
  }

  /** {@inheritDoc JobStore.getJob} */
  async getJob(source: JobSource, jobId: string): Promise<{ job: JobRecord; history: JobRecord[] } | undefined> {
    const pk = keys.jobPk(source, jobId);
    const [latest, revisions] = await Promise.all([
      this.getItem(pk, keys.LATEST_SK, false),
      this.queryAll({
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :rev)',
        ExpressionAttributeValues: { ':pk': pk, ':rev': keys.REVISION_PREFIX },
      }),
    ]);
    if (!latest) return undefined;
    return { job: recordFromItem(latest), history: revisions.map(recordFromItem) };
  }

  /** {@inheritDoc JobStore.listJobs} */
  async listJobs(filter: JobListFilter, limit: number, startKey?: Record<string, string>): Promise<Page<JobRecord>> {
    // A forged position would otherwise reach DynamoDB as an invalid ExclusiveStartKey (a 500).
    if (startKey && !keys.isJobListPosition(startKey)) throw new InvalidPositionError('not a position of the jobs listing');
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':pk': keys.JOBS_GSI1PK };
    let keyCondition = 'GSI1PK = :pk';
    if (filter.from && filter.to) {
      keyCondition += ' AND GSI1SK BETWEEN :from AND :to';
      values[':from'] = filter.from;
      values[':to'] = filter.to; // `to#...` sorts after `to`, so `to` itself is excluded: [from, to)
    } else if (filter.from) {
      keyCondition += ' AND GSI1SK >= :from';
      values[':from'] = filter.from;
    } else if (filter.to) {
      keyCondition += ' AND GSI1SK < :to';
      values[':to'] = filter.to;
    }
    const filters: string[] = [];
    const eq = (attr: string, value: string | undefined) => {
      if (value === undefined) return;
      names[`#${attr}`] = attr;
      values[`:${attr}`] = value;
      filters.push(`#${attr} = :${attr}`);
    };
    eq('source', filter.source);
    eq('type', filter.type);
    eq('status', filter.status);
    eq('fleetId', filter.fleetId);
    if (filter.clusterId !== undefined) {
      names['#clusterIds'] = 'clusterIds';
      values[':clusterId'] = filter.clusterId;
      filters.push('contains(#clusterIds, :clusterId)');
    }
    const items: JobRecord[] = [];
    let exclusive: Record<string, unknown> | undefined = startKey;
    // Bounded: a very selective filter returns a short page with a cursor rather than reading on and on.
    for (let page = 0; page < 20 && items.length < limit; page++) {
      const out = await this.query({
        IndexName: 'GSI1',
        KeyConditionExpression: keyCondition,
        ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
        ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: limit - items.length,
        ExclusiveStartKey: exclusive,
      });
      items.push(...out.items.map(recordFromItem));
      exclusive = out.lastKey;
      if (!exclusive) break;
    }
    return { items, ...(exclusive ? { nextKey: exclusive as Record<string, string> } : {}) };
  }

  /** The raw rollup items of a range (the sort-key range is wider by its last bucket's keys: filter by bucket). */
  private async rollupItems(range: RollupRange, consistent: boolean): Promise<Record<string, unknown>[]> {
    if (range.fromBucket >= range.toBucket) return [];
    const [from, to] = keys.rollupSkRange(range.granularity, range.fromBucket, range.toBucket);
    return this.queryAll({
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': keys.rollupPk(range.level, range.grouping, range.scope), ':from': from, ':to': to },
      ...(consistent ? { ConsistentRead: true } : {}),
    });
  }

  /** {@inheritDoc JobStore.readRollups} */
  async readRollups(range: RollupRange): Promise<RollupBucket[]> {
    return (await this.rollupItems(range, false))
      .map(rollupFromItem)
      .filter((r) => r.bucket >= range.fromBucket && r.bucket < range.toBucket);
  }

  /** {@inheritDoc JobStore.compactRollups} */
  async compactRollups(range: RollupRange): Promise<PartitionCompaction> {
    const result: PartitionCompaction = { examined: 0, compacted: 0, binsFolded: 0, raced: 0, keys: [] };
    const items = await this.rollupItems(range, true);
    const groupKeys = new Set<string>();
    const rewrites: { item: Record<string, unknown>; guard: Record<string, number | undefined>; binsFolded: number }[] = [];
    for (const item of items) {
      const slot = keys.parseRollupKey(String(item.PK), String(item.SK));
      if (!slot || slot.bucket < range.fromBucket || slot.bucket >= range.toBucket) continue;
      result.examined += 1;
      groupKeys.add(slot.key);
      const compacted = compactedRollupItem(item);
      if (compacted) rewrites.push(compacted);
    }
    result.keys = [...groupKeys].sort();
    // A few rewrites at a time: each is a whole-item Put, and the partition is usually small.
    await mapConcurrently(rewrites, COMPACTION_CONCURRENCY, async ({ item, guard, binsFolded }) => {
      const names: Record<string, string> = {};
      const values: Record<string, number> = {};
      const conditions = Object.entries(guard).map(([name, runs], n) => {
        names[`#n${n}`] = name;
        if (runs === undefined) return `attribute_not_exists(#n${n})`;
        values[`:n${n}`] = runs;
        return `#n${n} = :n${n}`;
      });
      try {
        await this.write(
          new PutCommand({
            TableName: this.table,
            Item: item,
            // Every run write ADDs to one of the counts: equal counts mean nothing was added since the read.
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeNames: names,
            ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        result.compacted += 1;
        result.binsFolded += binsFolded;
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        result.raced += 1;
      }
    });
    return result;
  }

  /** {@inheritDoc JobStore.readRuns} */
  async readRuns(level: Level, from: string, to: string): Promise<TerminalRun[]> {
    const runs: TerminalRun[] = [];
    const start = Date.parse(`${keys.hourBucket(from)}:00:00Z`);
    const end = Date.parse(to);
    const hours: string[] = [];
    for (let t = start; t < end; t += HOUR_MS) hours.push(keys.hourBucket(new Date(t).toISOString()));
    const pages = await Promise.all(
      hours.map((hour) =>
        this.queryAll({
          IndexName: 'GSI2',
          KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': keys.runGsi2Pk(level, hour), ':from': from, ':to': to },
        }),
      ),
    );
    for (const items of pages) for (const item of items) runs.push(runFromItem(item));
    return runs.filter((r) => r.belongsAt >= from && r.belongsAt < to);
  }

  /** {@inheritDoc JobStore.addTarget} */
  async addTarget(kind: TargetKind, id: string, now: string, addedBy: Target['addedBy']): Promise<{ target: Target; created: boolean }> {
    const target: Target = { kind, id, state: 'active', addedAt: now, addedBy, consecutiveFailures: 0, nextPollAt: now };
    try {
      await this.write(
        new PutCommand({
          TableName: this.table,
          Item: targetItem(target),
          ConditionExpression: 'attribute_not_exists(PK)',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      return { target, created: true };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const existing = await this.getTarget(kind, id);
      if (!existing) throw error;
      return { target: existing, created: false };
    }
  }

  /** {@inheritDoc JobStore.getTarget} */
  async getTarget(kind: TargetKind, id: string): Promise<Target | undefined> {
    const item = await this.getItem(keys.targetPk(kind), keys.targetSk(id));
    return item ? targetFromItem(item) : undefined;
  }

  /** {@inheritDoc JobStore.listTargets} */
  async listTargets(options: { kind?: TargetKind; includeRetired?: boolean } = {}): Promise<Target[]> {
    const kinds: TargetKind[] = options.kind ? [options.kind] : ['fleet', 'policy-job'];
    const lists = await Promise.all(
      kinds.map((kind) =>
        this.queryAll({
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': keys.targetPk(kind) },
        }),
      ),
    );
    return lists.flat().map(targetFromItem).filter((t) => options.includeRetired || t.state === 'active');
  }

  /** {@inheritDoc JobStore.dueTargets} */
  async dueTargets(kind: TargetKind, now: string): Promise<Target[]> {
    const items = await this.queryAll({
      IndexName: 'GSI1',
      // `~` sorts after `#`, so every `<nextPollAt>#<id>` with nextPollAt <= now is below the bound.
      KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK < :bound',
      ExpressionAttributeValues: { ':pk': keys.activeTargetGsi1Pk(kind), ':bound': `${now}~` },
    });
    return items.map(targetFromItem).filter((t) => t.state === 'active');
  }

  /** {@inheritDoc JobStore.updateTarget} */
  async updateTarget(target: Target): Promise<void> {
    await this.write(
      new PutCommand({
        TableName: this.table,
        Item: targetItem(target),
        // Never resurrect a target that was deleted by hand, nor create one by accident.
        ConditionExpression: 'attribute_exists(PK)',
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
  }

  /** {@inheritDoc JobStore.retireTarget} */
  async retireTarget(kind: TargetKind, id: string, now: string, reason: string): Promise<Target | undefined> {
    const existing = await this.getTarget(kind, id);
    if (!existing) return undefined;
    if (existing.state === 'retired') return existing;
    const retired: Target = { ...existing, state: 'retired', retiredAt: now, retiredReason: reason };
    await this.updateTarget(retired);
    logger.info('target retired', { targetKind: kind, targetId: id, reason });
    return retired;
  }

  /** {@inheritDoc JobStore.ping} */
  async ping(): Promise<void> {
    await this.getItem(keys.META_PK, keys.metaSk('health'), false);
  }
}

/**
 * The attempt an observation belongs to. A job that reached a terminal status and is seen running or
 * pending again, or terminal again with another start time, is a retry: attempt + 1.
 */
function nextAttempt(latest: Latest | undefined, record: JobRecord): { attempt: number; previous?: Latest } {
  if (!latest) return { attempt: 1 };
  if (!latest.attemptTerminal) return { attempt: latest.attempt, previous: latest };
  const rerun =
    record.status === 'running' ||
    record.status === 'pending' ||
    (isTerminal(record.status) &&
      record.startedAt !== undefined &&
      latest.startedAt !== undefined &&
      record.startedAt !== latest.startedAt);
  return rerun ? { attempt: latest.attempt + 1 } : { attempt: latest.attempt, previous: latest };
}

/**
 * Terminal runs this observation shows that the previous state of the same attempt did not: the job itself
 * and each step, keyed (job, attempt, step). A run belongs to its `finishedAt`, else to this observation.
 */
export function newTerminalRuns(record: JobRecord, previous: Latest | undefined): TerminalRun[] {
  const runs: TerminalRun[] = [];
  const base = { source: record.source, jobId: record.jobId, attempt: record.attempt, jobType: record.type, fleetId: record.fleetId };
  if (isTerminal(record.status) && !(previous && isTerminal(previous.status))) {
    runs.push(
      definedOnly<TerminalRun>({
        ...base,
        level: 'job',
        type: record.type,
        status: record.status,
        rawStatus: record.rawStatus,
        clusterIds: record.clusterIds?.length ? record.clusterIds : undefined,
        startedAt: record.startedAt,
        finishedAt: record.finishedAt,
        durationMs: record.durationMs,
        belongsAt: record.finishedAt ?? record.observedAt,
      }),
    );
  }
  const before = new Map((previous?.steps ?? []).map((s) => [s.stepId, s.status]));
  for (const step of record.steps) {
    if (!isTerminal(step.status)) continue;
    const was = before.get(step.stepId);
    if (was !== undefined && isTerminal(was)) continue;
    runs.push(
      definedOnly<TerminalRun>({
        ...base,
        level: 'step',
        stepId: step.stepId,
        type: step.type,
        status: step.status,
        rawStatus: step.rawStatus,
        clusterId: step.targetType === 'cluster' && step.target ? step.target : undefined,
        startedAt: step.startedAt,
        finishedAt: step.finishedAt,
        durationMs: step.durationMs,
        belongsAt: step.finishedAt ?? record.observedAt,
      }),
    );
  }
  return runs;
}
