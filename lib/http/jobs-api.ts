import type { JobRecord, JobSource } from '../jobs/record';
import { formatIsoMicros, parseInstantMicros } from '../jobs/time';
import type { OverdueJudge } from '../stats/overdue';
import { InvalidPositionError, type JobListFilter, type JobStore, type Page } from '../store/port';
import { type CursorCodec, queryFingerprint } from './cursor';
import { BadRequest, NotFound } from './errors';
import { type RequestLimits, resolveWindow } from './request';
import type { JobHistoryBody, JobPageBody, ListJobsParams } from './schemas';

/** Normalizes an optional ISO time parameter to the stored form (UTC, microseconds). */
const normalizeTime = (text: string | undefined) => {
  const us = text === undefined ? undefined : parseInstantMicros(text);
  return us === undefined ? undefined : formatIsoMicros(us);
};

/** Store pages read for one `overdue=true` page at most: the in-flight set is small, but a page stays bounded. */
const MAX_OVERDUE_PAGES = 20;

/** A store listing whose forged positions are the client's fault: 400 naming `cursor`. */
async function listOrReject(store: JobStore, filter: JobListFilter, limit: number, startKey?: Record<string, string>): Promise<Page<JobRecord>> {
  try {
    return await store.listJobs(filter, limit, startKey);
  } catch (error) {
    if (error instanceof InvalidPositionError) throw new BadRequest('cursor', 'not a cursor of this listing');
    throw error;
  }
}

/**
 * One page of `GET /jobs`, newest sort time first, each job with `overdue` when it is overdue now. Without
 * `from`/`to` the list is unbounded (no default window, so every page of one listing has the same filters); with
 * both, the window limit applies. `overdue=true` lists exactly the jobs overdue now: it reads the in-flight
 * index only (no finished job), judges each, and pages on, keeping the overdue ones.
 */
export async function listJobPage(
  store: JobStore,
  params: ListJobsParams,
  codec: CursorCodec,
  limits: RequestLimits,
  judge: OverdueJudge,
): Promise<JobPageBody> {
  if (params.from !== undefined && params.to !== undefined) resolveWindow(params, limits);
  const nowUs = limits.nowMicros ?? Date.now() * 1000;
  const filter: JobListFilter = {
    source: params.source,
    type: params.type,
    status: params.status,
    fleetId: params.fleetId,
    clusterId: params.clusterId,
    from: normalizeTime(params.from),
    to: normalizeTime(params.to),
    ...(params.overdue && { inFlight: true }),
  };
  const { inFlight: _inFlight, ...filters } = filter;
  const fingerprint = queryFingerprint({ ...filters, overdue: params.overdue ? 'true' : undefined });
  let startKey = params.cursor === undefined ? undefined : codec.decode(params.cursor, fingerprint);
  if (!params.overdue) {
    const page = await listOrReject(store, filter, params.limit, startKey);
    const items = await Promise.all(page.items.map((job) => judge.judge(job, nowUs)));
    return { items, ...(page.nextKey && { nextCursor: codec.encode(page.nextKey, fingerprint) }) };
  }
  const items: JobPageBody['items'] = [];
  for (let pages = 0; pages < MAX_OVERDUE_PAGES && items.length < params.limit; pages++) {
    const page = await listOrReject(store, filter, params.limit - items.length, startKey);
    for (const job of await Promise.all(page.items.map((j) => judge.judge(j, nowUs)))) if (job.overdue) items.push(job);
    startKey = page.nextKey;
    if (!startKey) break;
  }
  return { items, ...(startKey && { nextCursor: codec.encode(startKey, fingerprint) }) };
}

/**
 * `GET /jobs/{source}/{jobId}`: the latest state (with `overdue` when it is overdue now) and the distinct
 * observed states, oldest first, as they were observed; 404 if unknown.
 */
export async function jobHistory(store: JobStore, source: JobSource, jobId: string, judge: OverdueJudge, nowUs = Date.now() * 1000): Promise<JobHistoryBody> {
  const found = await store.getJob(source, jobId);
  if (!found) throw new NotFound(`No job ${jobId} from source ${source}`, { source, jobId });
  return { job: await judge.judge(found.job, nowUs), history: found.history };
}
