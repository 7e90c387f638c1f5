import type { RollupGrouping, TerminalRun } from './port';

/** One rollup a run is added to (in both its day and its hour bucket). */
export interface RollupSlot {
  grouping: RollupGrouping;
  scope: string;
  key: string;
}

/** The type key of a run: `<source>/<type>` (type = job type at level job, step type at level step). */
export const typeKey = (run: Pick<TerminalRun, 'source' | 'type'>) => `${run.source}/${run.type}`;

/** The scope of a fleet or cluster rollup partition filtered by source. */
export const sourceScope = (source: string) => `source=${source}`;
/** The scope of a fleet or cluster rollup partition filtered by type key (`<source>/<type>`). */
export const typeScope = (key: string) => `type=${key}`;

/**
 * Every rollup a run belongs to. `none` and `type` are kept unfiltered (a type key carries its source, so
 * source/type filters are key filters there); `fleet` and `cluster` also keep partitions scoped by source
 * and by type, so a filtered fleet or cluster breakdown is still read from rollups alone.
 */
export function rollupSlots(run: TerminalRun): RollupSlot[] {
  const slots: RollupSlot[] = [
    { grouping: 'none', scope: '*', key: 'all' },
    { grouping: 'type', scope: '*', key: typeKey(run) },
  ];
  const scoped = (grouping: RollupGrouping, key: string) => {
    slots.push(
      { grouping, scope: '*', key },
      { grouping, scope: sourceScope(run.source), key },
      { grouping, scope: typeScope(typeKey(run)), key },
    );
  };
  if (run.fleetId) scoped('fleet', run.fleetId);
  if (run.level === 'step' && run.clusterId) scoped('cluster', run.clusterId);
  return slots;
}
