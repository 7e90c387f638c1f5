import { logger } from '../observability';
import type { JobStore, TargetKind } from '../store/port';
import type { UcsApi } from '../ucs/api';

/** What one discovery pass found and added. */
export interface DiscoverySummary {
  fleetsListed: number;
  policyJobsListed: number;
  added: number;
  /** Listing calls that failed (the other listing still runs). */
  failed: string[];
}

/**
 * Adds every fleet and policy job UCS lists to the watch list. Known targets, retired ones included, are
 * left as they are: a retired target is not brought back by discovery, and known ids cost no write.
 */
export async function discoverTargets(deps: { store: JobStore; ucs: UcsApi; now: () => Date }): Promise<DiscoverySummary> {
  const known = new Set((await deps.store.listTargets({ includeRetired: true })).map((t) => `${t.kind}:${t.id}`));
  const summary: DiscoverySummary = { fleetsListed: 0, policyJobsListed: 0, added: 0, failed: [] };
  const listings: [TargetKind, () => Promise<string[]>][] = [
    ['fleet', () => deps.ucs.listFleetIds()],
    ['policy-job', () => deps.ucs.listPolicyJobIds()],
  ];
  for (const [kind, list] of listings) {
    let ids: string[];
    try {
      ids = await list();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.warn('discovery listing failed', { targetKind: kind, error: message });
      summary.failed.push(`${kind}: ${message}`);
      continue;
    }
    if (kind === 'fleet') summary.fleetsListed = ids.length;
    else summary.policyJobsListed = ids.length;
    const now = deps.now().toISOString();
    for (const id of new Set(ids)) {
      if (known.has(`${kind}:${id}`)) continue;
      const { created } = await deps.store.addTarget(kind, id, now, 'discovery');
      if (created) summary.added += 1;
    }
  }
  return summary;
}
