import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Capacity consumed through one counting client, split by the kind of request that consumed it. */
export interface Consumed {
  readUnits: number;
  writeUnits: number;
  requests: number;
}

const WRITES = new Set(['PutCommand', 'UpdateCommand', 'DeleteCommand', 'TransactWriteCommand', 'BatchWriteCommand']);

/**
 * Wraps a document client and adds up `ConsumedCapacity` by request kind. DynamoDB Local reports only
 * `CapacityUnits` (no read/write split), so the split is made here from the command that was sent.
 */
export function countingClient(doc: DynamoDBDocumentClient): { client: DynamoDBDocumentClient; consumed: Consumed; reset(): void } {
  const consumed: Consumed = { readUnits: 0, writeUnits: 0, requests: 0 };
  const send = async (command: { constructor: { name: string } }) => {
    const out = (await doc.send(command as never)) as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] };
    consumed.requests += 1;
    const list = Array.isArray(out.ConsumedCapacity) ? out.ConsumedCapacity : out.ConsumedCapacity ? [out.ConsumedCapacity] : [];
    const units = list.reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
    if (WRITES.has(command.constructor.name)) consumed.writeUnits += units;
    else consumed.readUnits += units;
    return out;
  };
  return {
    client: { send } as unknown as DynamoDBDocumentClient,
    consumed,
    reset: () => Object.assign(consumed, { readUnits: 0, writeUnits: 0, requests: 0 }),
  };
}
