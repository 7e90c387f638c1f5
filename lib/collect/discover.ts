import { logger } from '../observability';
import type { JobStore } from '../store/port';
import type { UcsApi } from '../ucs/api';
import { isUcsId, printableId } from '../ucs/ids';
import type { TargetKind } from '../jobs/target';

/** What one discovery pass found and added. */
export interface DiscoverySummary {
  fleetsListed: number;
  policyJobsListed: number;
  added: number;
  /** Listed ids that are not UCS ids (lib/ucs/ids.ts), logged and never stored. */
  skipped: number;
  /** Listing calls that failed (the other listing still runs). */
  failed: string[];
}

/**
 * Adds every fleet and policy job UCS lists to the watch list. Known targets, retired ones included, are
 * left as they are: a retired target is not brought back by discovery, and known ids cost no write.
 * The listed ids are looked up directly (`findTargets`), so a pass costs what UCS lists, however many
 * retired policy jobs the watch list has kept over the years.
 */
export async function discoverTargets(deps: { store: JobStore; ucs: UcsApi; now: () => Date }): Promise<DiscoverySummary> {
  const summary: DiscoverySummary = { fleetsListed: 0, policyJobsListed: 0, added: 0, skipped: 0, failed: [] };
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
    const listed: string[] = [];
    for (const id of new Set(ids)) {
      if (isUcsId(id)) listed.push(id);
      else {
        // A listed id that is not a UCS id would poison the watch list (every poll failing): skip it, say so.
        logger.warn('discovery skipped an id that is not a UCS id', { targetKind: kind, targetId: printableId(id) });
        summary.skipped += 1;
      }
    }
    const known = new Set((await deps.store.findTargets(kind, listed)).map((t) => t.id));
    const now = deps.now().toISOString();
    for (const id of listed) {
      if (known.has(id)) continue;
      const { created } = await deps.store.addTarget(kind, id, now, 'discovery');
      if (created) summary.added += 1;
    }
  }
  return summary;
}
