import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Where and how to reach DynamoDB: `endpoint` points at DynamoDB Local; `credentials` only for local runs. */
export interface DynamoDbConnection {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** True when a single-item write was refused by its condition (not for transactions: see CancellationReasons). */
export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
}

/** Builds a DynamoDB client with timeouts and bounded retries. */
export function createDynamoDbClient(options: DynamoDbConnection): DynamoDBClient {
  return new DynamoDBClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: 3,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 5000 }),
  });
}

/** The document client over {@link createDynamoDbClient} (undefined attributes are left out of items). */
export function createDocumentClient(options: DynamoDbConnection): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(createDynamoDbClient(options), { marshallOptions: { removeUndefinedValues: true } });
}
