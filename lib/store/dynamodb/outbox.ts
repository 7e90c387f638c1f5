import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ServiceEvent } from '../../jobs/events';
import type { JobSource } from '../../jobs/record';
import { microsOf } from '../../jobs/time';
import { eventFromItem, outboxItem } from '../items';
import * as keys from '../keys';
import { failedCondition, type HistoryTable } from './table';

/** BatchWriteItem takes at most 25 requests. */
const BATCH = 25;

/** The event outbox on the history table (KEYS.md): pending events and the overdue marks. */
export class Outbox {
  constructor(private readonly table: HistoryTable) {}

  /** {@inheritDoc OutboxStore.pendingEvents} */
  async pendingEvents(limit: number): Promise<ServiceEvent[]> {
    const page = await this.table.query({
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.OUTBOX_PK },
      ConsistentRead: true,
      Limit: limit,
    });
    return page.items.map(eventFromItem).sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  }

  /** {@inheritDoc OutboxStore.settleEvents} */
  async settleEvents(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += BATCH) {
      let requests = ids.slice(i, i + BATCH).map((id) => ({ DeleteRequest: { Key: { PK: keys.OUTBOX_PK, SK: keys.outboxSk(id) } } }));
      // Unprocessed deletes are retried; a delete that never happens only means one more publication.
      for (let round = 0; requests.length > 0 && round < 5; round++) {
        this.table.capacity.writeRequests += 1;
        const out = await this.table.client.send(new BatchWriteCommand({ RequestItems: { [this.table.name]: requests }, ReturnConsumedCapacity: 'TOTAL' }));
        this.table.track(out.ConsumedCapacity, 'write');
        requests = (out.UnprocessedItems?.[this.table.name] ?? []) as typeof requests;
      }
    }
  }

  /** {@inheritDoc OutboxStore.recordOverdue} */
  async recordOverdue(event: ServiceEvent, job: { source: JobSource; jobId: string; key: string }): Promise<boolean> {
    const now = new Date().toISOString();
    try {
      await this.table.transact([
        {
          Put: {
            TableName: this.table.name,
            Item: {
              PK: keys.jobPk(job.source, job.jobId),
              SK: keys.overdueSk(job.key),
              kind: 'overdue',
              eventId: event.detail.id,
              since: event.time,
              ...withExpiry(this.table.expiresAt(microsOf(event.time))),
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        { Put: { TableName: this.table.name, Item: outboxItem(event, now) } },
      ]);
      return true;
    } catch (error) {
      if (failedCondition(error, 0)) return false;
      throw error;
    }
  }
}

const withExpiry = (expiresAt: number | undefined) => (expiresAt === undefined ? {} : { expiresAt });
