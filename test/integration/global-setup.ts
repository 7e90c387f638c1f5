import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../lib/local/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    ddbEndpoint: string;
  }
}

let ddb: DynamoDbLocal | undefined;

/** Starts one in-memory DynamoDB Local for the whole integration run; test files create their own tables. */
export async function setup(project: TestProject): Promise<void> {
  process.env.DDB_LOCAL_TELEMETRY = '0';
  try {
    ddb = await startDynamoDbLocal();
  } catch (error) {
    // One clear line (e.g. "Java was not found ..."), not a stack trace.
    console.error(`\n[integration] ${(error as Error).message}\n`);
    throw error;
  }
  project.provide('ddbEndpoint', ddb.endpoint);
}

export async function teardown(): Promise<void> {
  await ddb?.stop();
}
