import type { JobSource } from '../jobs/record';
import { InvalidPositionError, type JobListFilter, type JobStore } from '../store/port';
import { formatMicros, parseInstantMicros } from '../stats/window';
import { type CursorCodec, queryFingerprint } from './cursor';
import { BadRequest, NotFound } from './errors';
import { type RequestLimits, resolveWindow } from './request';
import type { JobPageBody, ListJobsParams } from './schemas';

/** Normalizes an optional ISO time parameter to the stored form (UTC, microseconds). */
const normalizeTime = (text: string | undefined) => {
  const us = text === undefined ? undefined : parseInstantMicros(text);
  return us === undefined ? undefined : formatMicros(us);
};

/**
 * One page of `GET /jobs`, newest sort time first. Without `from`/`to` the list is unbounded (no default
 * window, so every page of one listing has the same filters); with both, the window limit applies.
 */
export async function listJobPage(
  store: JobStore,
  params: ListJobsParams,
  codec: CursorCodec,
  limits: RequestLimits,
): Promise<JobPageBody> {
  if (params.from !== undefined && params.to !== undefined) resolveWindow(params, limits);
  const filter: JobListFilter = {
    source: params.source,
    type: params.type,
    status: params.status,
    fleetId: params.fleetId,
    clusterId: params.clusterId,
    from: normalizeTime(params.from),
    to: normalizeTime(params.to),
  };
  const fingerprint = queryFingerprint({ ...filter });
  const startKey = params.cursor === undefined ? undefined : codec.decode(params.cursor, fingerprint);
  let page;
  try {
    page = await store.listJobs(filter, params.limit, startKey);
  } catch (error) {
    if (error instanceof InvalidPositionError) throw new BadRequest('cursor', 'not a cursor of this listing');
    throw error;
  }
  return { items: page.items, ...(page.nextKey && { nextCursor: codec.encode(page.nextKey, fingerprint) }) };
}

/** `GET /jobs/{source}/{jobId}`: the latest state and the distinct observed states, oldest first; 404 if unknown. */
export async function jobHistory(store: JobStore, source: JobSource, jobId: string) {
  const found = await store.getJob(source, jobId);
  if (!found) throw new NotFound(`No job ${jobId} from source ${source}`, { source, jobId });
  return found;
}
