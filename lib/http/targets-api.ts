import type { JobStore } from '../store/port';
import { isoMicrosFromDate } from '../jobs/time';
import { NotFound } from './errors';
import { type TargetBody, toTargetBody } from './schemas';
import type { TargetKind } from '../jobs/target';

/** `POST /targets`: adds a target for API polling; idempotent (an existing target, even retired, is returned as is). */
export async function addApiTarget(
  store: JobStore,
  kind: TargetKind,
  id: string,
  now = isoMicrosFromDate(new Date()),
): Promise<{ target: TargetBody; created: boolean }> {
  const { target, created } = await store.addTarget(kind, id, now, 'api');
  return { target: toTargetBody(target), created };
}

/** `GET /targets`: the watch list, active targets only unless `includeRetired`. */
export async function listApiTargets(store: JobStore, kind: TargetKind | undefined, includeRetired: boolean): Promise<TargetBody[]> {
  const targets = await store.listTargets({ kind, includeRetired });
  return targets
    .map(toTargetBody)
    .sort((a, b) => (a.kind === b.kind ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.kind < b.kind ? -1 : 1));
}

/**
 * `DELETE /targets/{kind}/{id}`: retires the target (it stays listed with `includeRetired=true`, its history
 * is kept) and returns it; retiring a retired target changes nothing. 404 if the target is unknown.
 */
export async function retireApiTarget(store: JobStore, kind: TargetKind, id: string, now = isoMicrosFromDate(new Date())): Promise<TargetBody> {
  const retired = await store.retireTarget(kind, id, now, 'removed through the API');
  if (!retired) throw new NotFound(`No ${kind} target ${id}`, { kind, id });
  return toTargetBody(retired);
}
