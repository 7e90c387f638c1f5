import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '../../aws/dynamodb';
import { mapConcurrently } from '../../concurrency';
import { compactedRollupItem, rollupFromItem } from '../items';
import * as keys from '../keys';
import type { PartitionCompaction, RollupBucket, RollupRange } from '../port';
import type { HistoryTable } from './table';

/** Concurrent item rewrites while compacting one rollup partition. */
const COMPACTION_CONCURRENCY = 8;

/** Rollup reads and compaction (the writes that feed rollups are run counting's: ./run-counter.ts). */
export class Rollups {
  constructor(private readonly table: HistoryTable) {}

  /** The raw rollup items of a range (the sort-key range is wider by its last bucket's keys: filter by bucket). */
  private async items(range: RollupRange, consistent: boolean): Promise<Record<string, unknown>[]> {
    if (range.fromBucket >= range.toBucket) return [];
    const [from, to] = keys.rollupSkRange(range.granularity, range.fromBucket, range.toBucket);
    return this.table.queryAll({
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': keys.rollupPk(range.level, range.grouping, range.scope, range.attempts), ':from': from, ':to': to },
      ...(consistent ? { ConsistentRead: true } : {}),
    });
  }

  /** {@inheritDoc RollupStore.readRollups} */
  async readRollups(range: RollupRange): Promise<RollupBucket[]> {
    return (await this.items(range, false)).map(rollupFromItem).filter((r) => r.bucket >= range.fromBucket && r.bucket < range.toBucket);
  }

  /** {@inheritDoc RollupStore.compactRollups} */
  async compactRollups(range: RollupRange): Promise<PartitionCompaction> {
    const result: PartitionCompaction = { examined: 0, compacted: 0, binsFolded: 0, raced: 0, keys: [] };
    const items = await this.items(range, true);
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
        await this.table.write(
          new PutCommand({
            TableName: this.table.name,
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
}
