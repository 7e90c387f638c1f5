import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '../aws/dynamodb';
import { META_PK, metaSk } from '../store/keys';
import { ExportState, type ExportStateStore } from './exporter';

/** The bookkeeping item's sort key under `META`. */
export const EXPORT_META_NAME = 'EXPORT';

/**
 * The DynamoDB adapter of `ExportStateStore`: one item `META` / `EXPORT` (`kind: meta`). It lives here rather
 * than in the JobStore because only the export function touches it (and its role may only touch `META`).
 */
export class DynamoDbExportStateStore implements ExportStateStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The stored state, or undefined before the first export. */
  async read(): Promise<ExportState | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { PK: META_PK, SK: metaSk(EXPORT_META_NAME) }, ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    return ExportState.parse(out.Item);
  }

  /** Writes the state if the stored one is still `previous` (compared on `lastExportArn`). */
  async write(next: ExportState, previous: ExportState | undefined): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { PK: META_PK, SK: metaSk(EXPORT_META_NAME), kind: 'meta', ...ExportState.parse(next) },
          ...(previous === undefined
            ? { ConditionExpression: 'attribute_not_exists(PK)' }
            : {
                ConditionExpression: 'lastExportArn = :arn',
                ExpressionAttributeValues: { ':arn': previous.lastExportArn },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}
