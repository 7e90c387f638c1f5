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

/** DynamoDB's size of an item: attribute names plus values (strings UTF-8, numbers ~1 byte per 2 digits + 1). */
export function itemSize(item: Record<string, unknown>): number {
  const valueSize = (v: unknown): number => {
    if (typeof v === 'string') return Buffer.byteLength(v);
    if (typeof v === 'number') return Math.ceil(String(Math.abs(v)).replace(/[.-]/g, '').replace(/^0+/, '').length / 2) + 1;
    if (typeof v === 'boolean' || v === null || v === undefined) return 1;
    if (v instanceof Uint8Array) return v.byteLength;
    if (v instanceof Set) return [...(v as Set<unknown>)].reduce<number>((n, x) => n + valueSize(x), 3);
    if (Array.isArray(v)) return v.reduce<number>((n, x) => n + 1 + valueSize(x), 3);
    if (typeof v === 'object') return 3 + itemSize(v as Record<string, unknown>);
    return 0;
  };
  return Object.entries(item).reduce((n, [name, value]) => n + Buffer.byteLength(name) + valueSize(value), 0);
}

/** The write units DynamoDB charges a transactional write of an item of `bytes` (2 per started KB). */
export const transactionalWriteUnits = (bytes: number) => 2 * Math.max(1, Math.ceil(bytes / 1024));

/**
 * DynamoDB Local does not report the capacity of TransactWriteItems faithfully (a 2-item and a 14-item
 * transaction both report 6 units): this client records, for every transaction it sends, each item written
 * (Put: its item; Update: the item as it is after the transaction, read back strongly consistent) with its
 * size, by a `category` of its keys, and prices it by DynamoDB's rule for transactional writes. Index writes
 * (GSI1/GSI2 copies) come on top, one standard write per KB per index the item is in, and are priced here too.
 */
export function transactionLedger(doc: DynamoDBDocumentClient, category: (key: { PK: string; SK: string }) => string) {
  const ledger = new Map<string, { items: number; units: number }>();
  const add = (name: string, units: number) => {
    const entry = ledger.get(name) ?? { items: 0, units: 0 };
    entry.items += 1;
    entry.units += units;
    ledger.set(name, entry);
  };
  const send = async (command: { constructor: { name: string }; input: unknown }) => {
    const out = await doc.send(command as never);
    if (command.constructor.name !== 'TransactWriteCommand') return out;
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const items = (command.input as { TransactItems: { Put?: { TableName: string; Item: Record<string, unknown> }; Update?: { TableName: string; Key: Record<string, unknown> } }[] }).TransactItems;
    for (const t of items) {
      let item = t.Put?.Item;
      if (!item && t.Update) item = ((await doc.send(new GetCommand({ TableName: t.Update.TableName, Key: t.Update.Key, ConsistentRead: true }))) as { Item?: Record<string, unknown> }).Item;
      if (!item) continue;
      const bytes = itemSize(item);
      const name = category(item as { PK: string; SK: string });
      add(name, transactionalWriteUnits(bytes));
      const indexes = ['GSI1PK', 'GSI2PK'].filter((k) => item[k] !== undefined).length;
      if (indexes) add(`${name} (index copies)`, indexes * Math.max(1, Math.ceil(bytes / 1024)));
    }
    return out;
  };
  return { client: { send } as unknown as DynamoDBDocumentClient, ledger };
}
