import type { Level, TerminalRun } from '../../jobs/runs';
import { microsOf } from '../../jobs/time';
import { hourBucketsBetween, rollupBuckets } from '../../rollup/buckets';
import { rollupSlots } from '../../rollup/groups';
import { binIndex } from '../../rollup/sketch';
import { runFinishedEvent, type ServiceEvent } from '../../jobs/events';
import { outboxItem, STATUS_CODE, rollupAttr, runFromItem, runItem } from '../items';
import * as keys from '../keys';
import { backoff, ContentionError, failedCondition, isConflict, MAX_ROUNDS, type HistoryTable } from './table';

/** A run for messages: `<source>/<jobId>#<attempt>[/<stepId>]`. */
const describeRun = (run: TerminalRun) => `${run.source}/${run.jobId}#${run.attempt}${run.stepId ? `/${run.stepId}` : ''}`;

/**
 * Run counting: a terminal run and every rollup it feeds (lib/rollup/groups.ts × lib/rollup/buckets.ts) are
 * written in one transaction that requires the run item not to exist yet. Run keys carry no time, so a run
 * seen twice maps to the same item and the second count is refused, however many collectors race.
 */
export class RunCounter {
  constructor(private readonly table: HistoryTable) {}

  /**
   * Writes a run item, its `Job Run Finished` event to the outbox, and adds it to every rollup it belongs to, in
   * one transaction conditioned on the run item not existing. Returns the event, or undefined when the run was
   * already counted.
   */
  async countRun(run: TerminalRun): Promise<ServiceEvent | undefined> {
    // The run's event goes in the outbox in the same transaction: a counted run is never without its event.
    const event = runFinishedEvent(run);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const updates = await this.rollupUpdates(run, { countsRun: true, durationMs: run.durationMs, consistent: round > 0 });
      try {
        await this.table.transact([
          {
            Put: {
              TableName: this.table.name,
              Item: runItem(run, this.table.expiresAt(microsOf(run.belongsAt))),
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          { Put: { TableName: this.table.name, Item: outboxItem(event, new Date().toISOString()) } },
          ...updates,
        ]);
        return event;
      } catch (error) {
        // The run item exists: counted before.
        if (failedCondition(error, 0)) return undefined;
        if (!isConflict(error)) throw error;
        await backoff(round);
      }
    }
    throw new ContentionError(`gave up counting run ${describeRun(run)}`);
  }

  /**
   * Gives a counted run the duration it was counted without (`repair` carries the duration and times a later
   * observation showed): one transaction that sets them on the run item, conditioned on it having none yet, and
   * adds the duration to every rollup the run was counted in (its stored `belongsAt` and status). Returns false
   * when the run is unknown or has a duration already, so racing collectors add it once.
   */
  async repairDuration(repair: TerminalRun): Promise<boolean> {
    const durationMs = repair.durationMs;
    if (durationMs === undefined) return false;
    const key = { PK: keys.jobPk(repair.source, repair.jobId), SK: keys.runSk(repair.attempt, repair.stepId) };
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const item = await this.table.getItem(key.PK, key.SK);
      if (!item) return false;
      const stored = runFromItem(item);
      if (stored.durationMs !== undefined) return false;
      const updates = await this.rollupUpdates(stored, { countsRun: false, durationMs, consistent: round > 0 });
      const set = ['#d = :d'];
      const names: Record<string, string> = { '#d': 'durationMs' };
      const values: Record<string, unknown> = { ':d': durationMs };
      for (const field of ['startedAt', 'finishedAt'] as const) {
        if (repair[field] === undefined) continue;
        set.push(`#${field} = :${field}`);
        names[`#${field}`] = field;
        values[`:${field}`] = repair[field];
      }
      try {
        await this.table.transact([
          {
            Update: {
              TableName: this.table.name,
              Key: key,
              UpdateExpression: `SET ${set.join(', ')}`,
              ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#d)',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            },
          },
          ...updates,
        ]);
        return true;
      } catch (error) {
        // Another collector repaired it first.
        if (failedCondition(error, 0)) return false;
        if (!isConflict(error)) throw error;
        await backoff(round);
      }
    }
    throw new ContentionError(`gave up repairing the duration of run ${describeRun(repair)}`);
  }

  /**
   * The rollup updates of one run in every rollup it feeds (lib/rollup/groups.ts × lib/rollup/buckets.ts): the
   * run count (`countsRun`) and its duration's figures. Min/max are exact: the rollup items are read first, and
   * a lower min (higher max) is written only under a condition that it is still lower.
   */
  private async rollupUpdates(run: TerminalRun, options: { countsRun: boolean; durationMs?: number; consistent: boolean }) {
    const code = STATUS_CODE[run.status];
    const minName = rollupAttr.min(code);
    const maxName = rollupAttr.max(code);
    const buckets = rollupBuckets(microsOf(run.belongsAt));
    const targets = rollupSlots(run).flatMap((slot) =>
      buckets.map((b) => ({
        key: { PK: keys.rollupPk(run.level, slot.grouping, slot.scope, slot.attempts), SK: keys.rollupSk(b.granularity, b.bucket, slot.key) },
        // A rollup lives for the retention period after its bucket ends, like the last run it can hold.
        expiresAt: this.table.expiresAt(b.endsAt),
      })),
    );
    const d = options.durationMs;
    const bin = d === undefined ? undefined : binIndex(d);
    const current = new Map<string, Record<string, unknown>>();
    if (d !== undefined) {
      const { items } = await this.table.batchGet({
        Keys: targets.map((t) => t.key),
        ProjectionExpression: 'PK, SK, #min, #max',
        ExpressionAttributeNames: { '#min': minName, '#max': maxName },
        ConsistentRead: options.consistent,
      });
      for (const item of items) current.set(`${String(item.PK)}|${String(item.SK)}`, item);
    }
    return targets.map(({ key, expiresAt }) => {
      // What the rollup groups is in its keys (keys.parseRollupKey): every attribute costs each read.
      const names: Record<string, string> = { '#kind': 'kind' };
      const values: Record<string, unknown> = { ':kind': 'rollup', ':one': 1 };
      const set = ['#kind = :kind'];
      const add: string[] = [];
      const conditions: string[] = [];
      if (options.countsRun) {
        names['#n'] = rollupAttr.runs(code);
        add.push('#n :one');
      }
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
          TableName: this.table.name,
          Key: key,
          UpdateExpression: `SET ${set.join(', ')}${add.length ? ` ADD ${add.join(', ')}` : ''}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ...(conditions.length ? { ConditionExpression: conditions.join(' AND ') } : {}),
        },
      };
    });
  }

  /** Terminal runs of a level whose `belongsAt` is in [from, to) (ISO times): one GSI2 query per hour. */
  async readRuns(level: Level, from: string, to: string): Promise<TerminalRun[]> {
    const pages = await Promise.all(
      hourBucketsBetween(microsOf(from), microsOf(to)).map((hour) =>
        this.table.queryAll({
          IndexName: 'GSI2',
          KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': keys.runGsi2Pk(level, hour), ':from': from, ':to': to },
        }),
      ),
    );
    const runs: TerminalRun[] = [];
    for (const items of pages) for (const item of items) runs.push(runFromItem(item));
    return runs.filter((r) => r.belongsAt >= from && r.belongsAt < to);
  }
}
