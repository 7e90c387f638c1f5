import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '../../aws/dynamodb';
import { TargetKind, type Target } from '../../jobs/target';
import { logger } from '../../observability';
import { targetFromItem, targetItem } from '../items';
import * as keys from '../keys';
import { backoff, MAX_ROUNDS, type HistoryTable } from './table';

/** BatchGetItem's limit of keys per request. */
export const BATCH_GET_KEYS = 100;

/** The watch list: one partition per kind, active targets on a sparse index by next poll time. */
export class Targets {
  constructor(private readonly table: HistoryTable) {}

  /** {@inheritDoc TargetStore.addTarget} */
  async addTarget(kind: TargetKind, id: string, now: string, addedBy: Target['addedBy']): Promise<{ target: Target; created: boolean }> {
    const target: Target = { kind, id, state: 'active', addedAt: now, addedBy, consecutiveFailures: 0, nextPollAt: now };
    try {
      await this.table.write(
        new PutCommand({
          TableName: this.table.name,
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

  /** {@inheritDoc TargetStore.getTarget} */
  async getTarget(kind: TargetKind, id: string): Promise<Target | undefined> {
    const item = await this.table.getItem(keys.targetPk(kind), keys.targetSk(id));
    return item ? targetFromItem(item) : undefined;
  }

  /**
   * {@inheritDoc TargetStore.findTargets}
   * BatchGetItem, 100 keys a request, eventually consistent (half the read units): a target added a moment ago
   * and missed here only costs discovery a conditional put that finds it (addTarget never overwrites).
   */
  async findTargets(kind: TargetKind, ids: readonly string[]): Promise<Target[]> {
    // BatchGetItem rejects a request that names a key twice.
    const unique = [...new Set(ids)];
    const found: Target[] = [];
    for (let start = 0; start < unique.length; start += BATCH_GET_KEYS) {
      let keysLeft = unique.slice(start, start + BATCH_GET_KEYS).map((id) => ({ PK: keys.targetPk(kind), SK: keys.targetSk(id) }));
      for (let round = 0; keysLeft.length > 0; round++) {
        // Keys DynamoDB left unprocessed (throttling, the 16 MB response cap) are asked for again, with backoff.
        if (round > 0) await backoff(round);
        if (round >= MAX_ROUNDS) throw new Error(`BatchGetItem left ${keysLeft.length} target keys unprocessed after ${MAX_ROUNDS} rounds`);
        const { items, unprocessed } = await this.table.batchGet({ Keys: keysLeft, ConsistentRead: false });
        found.push(...items.map(targetFromItem));
        keysLeft = unprocessed as typeof keysLeft;
      }
    }
    return found;
  }

  /** {@inheritDoc TargetStore.listTargets} */
  async listTargets(options: { kind?: TargetKind; includeRetired?: boolean } = {}): Promise<Target[]> {
    const kinds = options.kind ? [options.kind] : TargetKind.options;
    const lists = await Promise.all(
      kinds.map((kind) =>
        this.table.queryAll({
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': keys.targetPk(kind) },
        }),
      ),
    );
    return lists.flat().map(targetFromItem).filter((t) => options.includeRetired || t.state === 'active');
  }

  /** {@inheritDoc TargetStore.dueTargets} */
  async dueTargets(kind: TargetKind, now: string): Promise<Target[]> {
    const items = await this.table.queryAll({
      IndexName: 'GSI1',
      // `~` sorts after `#`, so every `<nextPollAt>#<id>` with nextPollAt <= now is below the bound.
      KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK < :bound',
      ExpressionAttributeValues: { ':pk': keys.activeTargetGsi1Pk(kind), ':bound': `${now}~` },
    });
    return items.map(targetFromItem).filter((t) => t.state === 'active');
  }

  /** {@inheritDoc TargetStore.updateTarget} */
  async updateTarget(target: Target): Promise<void> {
    await this.table.write(
      new PutCommand({
        TableName: this.table.name,
        Item: targetItem(target),
        // Never resurrect a target that was deleted by hand, nor create one by accident.
        ConditionExpression: 'attribute_exists(PK)',
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
  }

  /** {@inheritDoc TargetStore.retireTarget} */
  async retireTarget(kind: TargetKind, id: string, now: string, reason: string): Promise<Target | undefined> {
    const existing = await this.getTarget(kind, id);
    if (!existing) return undefined;
    if (existing.state === 'retired') return existing;
    const retired: Target = { ...existing, state: 'retired', retiredAt: now, retiredReason: reason };
    await this.updateTarget(retired);
    logger.info('target retired', { targetKind: kind, targetId: id, reason });
    return retired;
  }
}
