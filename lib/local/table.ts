import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type ScalarTag, type CollectionTag } from 'yaml';

/** Path of the CloudFormation file that defines the history table, as deployed by serverless.yml. */
export const TABLE_DEFINITION_PATH = join(__dirname, '..', '..', 'infra', 'table.yml');

// CloudFormation short-form intrinsics (`!Ref`, `!If`, ...) parse as plain values tagged with their name.
const cfnTags: (ScalarTag | CollectionTag)[] = ['Ref', 'Sub', 'If', 'Equals', 'Not', 'GetAtt', 'Join', 'Select', 'Split', 'FindInMap', 'Condition', 'ImportValue', 'GetAZs', 'Base64', 'And', 'Or', 'Cidr'].flatMap(
  (name) => [
    { tag: `!${name}`, resolve: (value: string) => ({ [`Fn::${name}`]: value }) },
    { tag: `!${name}`, collection: 'seq', resolve: (value: unknown) => ({ [`Fn::${name}`]: value }) },
    { tag: `!${name}`, collection: 'map', resolve: (value: unknown) => ({ [`Fn::${name}`]: value }) },
  ],
);

interface CfnTable {
  Properties: Pick<CreateTableCommandInput, 'AttributeDefinitions' | 'KeySchema' | 'GlobalSecondaryIndexes' | 'BillingMode'> & {
    TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean };
  };
}

/** Reads the `AWS::DynamoDB::Table` resource of infra/table.yml. */
export function readTableDefinition(path = TABLE_DEFINITION_PATH): CfnTable {
  const doc = parse(readFileSync(path, 'utf8'), { customTags: cfnTags }) as {
    Resources?: Record<string, { Type?: string } & CfnTable>;
  };
  const table = Object.values(doc.Resources ?? {}).find((r) => r.Type === 'AWS::DynamoDB::Table');
  if (!table) throw new Error(`${path} defines no AWS::DynamoDB::Table resource`);
  return table;
}

/**
 * Creates `tableName` from the CloudFormation definition (keys, indexes, billing, TTL), as CloudFormation
 * would. An existing table is left as it is, so a restart keeps its data.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'exists'> {
  const { Properties: p } = readTableDefinition();
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: p.AttributeDefinitions,
        KeySchema: p.KeySchema,
        GlobalSecondaryIndexes: p.GlobalSecondaryIndexes,
        BillingMode: p.BillingMode,
      }),
    );
  } catch (error) {
    if (error instanceof ResourceInUseException) return 'exists';
    throw error;
  }
  for (let i = 0; i < 100; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (p.TimeToLiveSpecification?.Enabled) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: p.TimeToLiveSpecification.AttributeName, Enabled: true },
      }),
    );
  }
  return 'created';
}
