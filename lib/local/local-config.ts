import * as z from 'zod';
import type { DynamoDbConnection } from '../aws/dynamodb';
import { parseEnvironment } from '../config';

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

/**
 * The environment of the local service (`npm start`, `npm run collect`, `npm run export:local`), with the
 * embedded defaults. Every variable is optional; the README's configuration table lists them.
 */
export const LocalEnv = z.object({
  PORT: port(3000),
  LAMBDA_PORT: port(3002),
  DYNAMODB_LOCAL_PORT: port(8000),
  UCS_SIMULATOR_PORT: port(8001),
  /** Seconds between local collector runs; 0 turns the local schedules off. */
  LOCAL_SCHEDULE_SECONDS: z.coerce.number().min(0).max(3600).default(10),
  LOCAL_DATA_DIR: z.string().min(1).default('.local'),
  /** How much faster than real time the simulator's scenario runs until it catches up with now. */
  LOCAL_SIM_SPEED: z.coerce.number().min(1).max(3600).default(60),
  LOCAL_SIM_SEED: z.coerce.number().int().default(42),
  /** A real (or another) UCS: the simulator is not started; credentials come from the UCS_* variables. */
  UCS_ENDPOINT: z.url({ message: 'UCS_ENDPOINT must be an http(s) URL, e.g. https://ucs-intl.myhuaweicloud.com' }).optional(),
  /** An already-running DynamoDB: the embedded DynamoDB Local is not started. */
  DYNAMODB_ENDPOINT: z.url({ message: 'DYNAMODB_ENDPOINT must be an http(s) URL, e.g. http://127.0.0.1:8000' }).optional(),
  TABLE_NAME: z.string().min(3).default('ucs-job-history-local-history'),
});
export type LocalEnv = z.infer<typeof LocalEnv>;

/** A problem the user can fix; the runner prints its message as one line, without a stack trace. */
export class LocalSetupError extends Error {
  override name = 'LocalSetupError';
}

/** Parses the local environment; the error names each bad variable. */
export function parseLocalEnv(env: Record<string, string | undefined> = process.env): LocalEnv {
  const parsed = parseEnvironment(LocalEnv, env);
  if (!parsed.ok) throw new LocalSetupError(parsed.problems);
  return parsed.data;
}

/** Where the local DynamoDB answers: DYNAMODB_ENDPOINT, else the embedded DynamoDB Local's port. */
export function localDynamoEndpoint(config: LocalEnv): string {
  return config.DYNAMODB_ENDPOINT ?? `http://127.0.0.1:${config.DYNAMODB_LOCAL_PORT}`;
}

/**
 * How the local tools reach the local table. DynamoDB Local runs with -sharedDb, so any credentials work;
 * fixed ones mean a workstation without AWS credentials never fails in the SDK's credential chain.
 */
export function localDynamoConnection(config: LocalEnv): DynamoDbConnection {
  return { region: 'local', endpoint: localDynamoEndpoint(config), credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}

/** Where the local UCS answers: UCS_ENDPOINT, else the embedded simulator's port. */
export function localUcsEndpoint(config: LocalEnv): string {
  return config.UCS_ENDPOINT ?? `http://127.0.0.1:${config.UCS_SIMULATOR_PORT}`;
}
