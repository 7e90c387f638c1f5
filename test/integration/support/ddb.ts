import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { ensureTable } from '../../../lib/local/table';

/** A DynamoDB client for the shared DynamoDB Local of the integration run. */
export function localDynamoClient(): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: inject('ddbEndpoint'),
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Creates a fresh table from infra/table.yml with a unique name, so test files never share state. */
export async function createTestTable(prefix = 'test'): Promise<{ client: DynamoDBClient; tableName: string; endpoint: string }> {
  const client = localDynamoClient();
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName);
  return { client, tableName, endpoint: inject('ddbEndpoint') };
}
