import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { ensureTable, readTableDefinition } from '../../lib/local/table';
import { createTestTable } from './support/ddb';

describe('the table created from infra/table.yml in DynamoDB Local', () => {
  it('has the keys, indexes and TTL attribute of the CloudFormation definition', async () => {
    const { client, tableName } = await createTestTable('table');
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const def = readTableDefinition().Properties;
    expect(Table?.KeySchema).toEqual(def.KeySchema);
    expect(Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName).sort()).toEqual(
      def.GlobalSecondaryIndexes?.map((g) => g.IndexName).sort(),
    );
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe('expiresAt');
  });

  it('leaves an existing table alone, so a restart keeps its data', async () => {
    const { client, tableName } = await createTestTable('table');
    await expect(ensureTable(client, tableName)).resolves.toBe('exists');
  });
});
