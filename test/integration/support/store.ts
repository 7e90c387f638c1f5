import { DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbJobStore } from '../../../lib/store/dynamodb-store';
import { createTestTable } from './ddb';

/** A DynamoDB store on a fresh DynamoDB Local table. */
export async function createTestStore(prefix = 'store') {
  const { client, tableName } = await createTestTable(prefix);
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const store = new DynamoDbJobStore({ client: doc, tableName });
  return { store, doc, tableName };
}

/** Every item of a table, sorted by key, without volatile fields: for comparing two histories. */
export async function tableSnapshot(doc: DynamoDBDocumentClient, tableName: string, pks: string[]): Promise<unknown[]> {
  const items: Record<string, unknown>[] = [];
  for (const pk of pks) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await doc.send(
        new QueryCommand({ TableName: tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': pk }, ExclusiveStartKey: startKey }),
      );
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }
  return items.sort((a, b) => `${String(a.PK)}|${String(a.SK)}`.localeCompare(`${String(b.PK)}|${String(b.SK)}`));
}

/**
 * A document client that dies on the `n`-th transaction: before sending it (`before`) or after DynamoDB
 * applied it (`after`, as when a Lambda is killed while the answer is on its way).
 */
export function crashingClient(doc: DynamoDBDocumentClient, n: number, when: 'before' | 'after'): DynamoDBDocumentClient {
  let count = 0;
  const send = async (command: unknown) => {
    if (command instanceof TransactWriteCommand && ++count === n) {
      if (when === 'before') throw new Error('injected crash before the write');
      await doc.send(command);
      throw new Error('injected crash after the write');
    }
    return doc.send(command as never);
  };
  return { send } as unknown as DynamoDBDocumentClient;
}
