import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../aws/dynamodb';
import { serviceConfig } from '../config';
import { DynamoDbJobStore } from './dynamodb-store';
import type { JobStore } from './port';

// One module-scoped client and store per Lambda container, reused across invocations (STYLE.md #4).
let documentClient: DynamoDBDocumentClient | undefined;
let store: DynamoDbJobStore | undefined;

/** The DynamoDB document client of this process, built from the validated config on first use. */
export function defaultDocumentClient(): DynamoDBDocumentClient {
  const config = serviceConfig();
  documentClient ??= createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT });
  return documentClient;
}

/** The history store of this process, on the configured table. */
export function defaultJobStore(): JobStore {
  const config = serviceConfig();
  store ??= new DynamoDbJobStore({
    client: defaultDocumentClient(),
    tableName: config.TABLE_NAME,
    retentionDays: config.RETENTION_DAYS,
  });
  return store;
}
