import { logger } from '../observability';
import type { JobStore } from '../store/port';
import { ServiceUnavailable } from './errors';

/** `GET /health`: succeeds once the table is reachable, else a 503. */
export async function checkHealth(store: JobStore): Promise<{ status: 'ok' }> {
  try {
    await store.ping();
  } catch (error) {
    logger.warn('health check: table unreachable', { error: error instanceof Error ? error : String(error) });
    throw new ServiceUnavailable(`The history table is not reachable: ${error instanceof Error ? error.name : 'unknown error'}`);
  }
  return { status: 'ok' };
}
