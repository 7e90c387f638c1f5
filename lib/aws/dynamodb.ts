import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Builds a DynamoDB client with timeouts and bounded retries; `endpoint` points at DynamoDB Local when set. */
export function createDynamoDbClient(options: { region: string; endpoint?: string }): DynamoDBClient {
  return new DynamoDBClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    maxAttempts: 3,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 5000 }),
  });
}

/** The document client over {@link createDynamoDbClient} (undefined attributes are left out of items). */
export function createDocumentClient(options: { region: string; endpoint?: string }): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(createDynamoDbClient(options), { marshallOptions: { removeUndefinedValues: true } });
}
