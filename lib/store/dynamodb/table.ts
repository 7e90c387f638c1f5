import { TransactionCanceledException, type ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type BatchGetCommandInput,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';

/** Read and write units a store instance consumed, as DynamoDB reported them. */
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

/** Rounds of optimistic concurrency before a ContentionError. */
export const MAX_ROUNDS = 12;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A jittered wait before retrying a conflicting write, growing with the round. */
export const backoff = (round: number) => sleep(Math.random() * 20 * (round + 1));

/** True when a transaction lost to a concurrent writer (a conflict, or a condition another writer broke). */
export function isConflict(error: unknown): boolean {
  if (error instanceof TransactionCanceledException) {
    return (error.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict' || r.Code === 'ConditionalCheckFailed');
  }
  return (error as { name?: string }).name === 'TransactionConflictException';
}

/** True when a transaction failed on the condition of its item number `index`. */
export function failedCondition(error: unknown, index: number): boolean {
  return error instanceof TransactionCanceledException && error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';
}

/**
 * The plumbing every part of the DynamoDB adapter shares: one table, its client, the retention expiry and the
 * capacity counters. No key format and no rule lives here.
 */
export class HistoryTable {
  readonly capacity: CapacityCounters = { readUnits: 0, writeUnits: 0, writeRequests: 0 };
  private readonly retentionSec?: number;

  constructor(
    readonly client: DynamoDBDocumentClient,
    readonly name: string,
    retentionDays?: number,
  ) {
    this.retentionSec = retentionDays === undefined ? undefined : retentionDays * 86_400;
  }

  /**
   * Adds reported capacity. DynamoDB Local (and on-demand tables for some calls) report only the total
   * `CapacityUnits`, so the split comes from the kind of request that consumed it.
   */
  track(consumed: ConsumedCapacity | ConsumedCapacity[] | undefined, kind: 'read' | 'write' = 'read'): void {
    for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
      if (c.ReadCapacityUnits !== undefined || c.WriteCapacityUnits !== undefined) {
        this.capacity.readUnits += c.ReadCapacityUnits ?? 0;
        this.capacity.writeUnits += c.WriteCapacityUnits ?? 0;
      } else if (kind === 'write') this.capacity.writeUnits += c.CapacityUnits ?? 0;
      else this.capacity.readUnits += c.CapacityUnits ?? 0;
    }
  }

  /** The TTL (`expiresAt`, epoch seconds) of an item that belongs at `us`; undefined without a retention. */
  expiresAt(us: number): number | undefined {
    if (this.retentionSec === undefined) return undefined;
    return Math.floor(us / 1_000_000) + this.retentionSec;
  }

  /** Sends a write and counts it; failed conditional writes also cost capacity, unreported by DynamoDB. */
  async write(command: PutCommand | TransactWriteCommand): Promise<void> {
    this.capacity.writeRequests += 1;
    const out = command instanceof PutCommand ? await this.client.send(command) : await this.client.send(command);
    this.track(out.ConsumedCapacity, 'write');
  }

  /** Sends one transaction of `items` (Puts, Updates and condition checks on this table) and counts it. */
  async transact(items: NonNullable<TransactWriteCommandInput['TransactItems']>): Promise<void> {
    await this.write(new TransactWriteCommand({ ReturnConsumedCapacity: 'TOTAL', TransactItems: items }));
  }

  /** One page of a Query. */
  async query(input: Omit<QueryCommandInput, 'TableName'>): Promise<{ items: Record<string, unknown>[]; lastKey?: Record<string, unknown> }> {
    const out = await this.client.send(new QueryCommand({ ...input, TableName: this.name, ReturnConsumedCapacity: 'TOTAL' }));
    this.track(out.ConsumedCapacity);
    return { items: out.Items ?? [], lastKey: out.LastEvaluatedKey };
  }

  /** Every page of a Query. */
  async queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.query({ ...input, ExclusiveStartKey: startKey });
      items.push(...page.items);
      startKey = page.lastKey;
    } while (startKey);
    return items;
  }

  /** One item by key (strongly consistent unless asked otherwise). */
  async getItem(pk: string, sk: string, consistent = true): Promise<Record<string, unknown> | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.name, Key: { PK: pk, SK: sk }, ConsistentRead: consistent, ReturnConsumedCapacity: 'TOTAL' }),
    );
    this.track(out.ConsumedCapacity);
    return out.Item;
  }

  /** The items of one BatchGetItem request on this table (at most 100 keys), and the keys DynamoDB left unprocessed. */
  async batchGet(
    request: Omit<NonNullable<BatchGetCommandInput['RequestItems']>[string], never>,
  ): Promise<{ items: Record<string, unknown>[]; unprocessed: Record<string, unknown>[] }> {
    const out = await this.client.send(new BatchGetCommand({ RequestItems: { [this.name]: request }, ReturnConsumedCapacity: 'TOTAL' }));
    this.track(out.ConsumedCapacity);
    return { items: out.Responses?.[this.name] ?? [], unprocessed: out.UnprocessedKeys?.[this.name]?.Keys ?? [] };
  }
}
