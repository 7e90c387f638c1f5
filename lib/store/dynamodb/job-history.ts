import { fingerprint } from '../../jobs/fingerprint';
import type { JobRecord, JobSource } from '../../jobs/record';
import type { ServiceEvent } from '../../jobs/events';
import { planObservation } from '../../jobs/runs';
import { microsOf } from '../../jobs/time';
import { JobStateItem, jobStateItem, recordFromItem } from '../items';
import * as keys from '../keys';
import { InvalidPositionError, type JobListFilter, type ObservationResult, type Page } from '../port';
import type { RunCounter } from './run-counter';
import { backoff, ContentionError, isConflict, MAX_ROUNDS, type HistoryTable } from './table';

/**
 * Job history: each job's latest state and its revisions. What an observation means (stale, unchanged, a new
 * revision of which attempt, which runs it finishes) is decided by `planObservation` (lib/jobs/runs.ts); this
 * class turns the plan into a revision transaction, retried against whatever a concurrent collector stored.
 */
export class JobHistory {
  constructor(
    private readonly table: HistoryTable,
    private readonly runs: RunCounter,
  ) {}

  private async getLatest(source: JobSource, jobId: string): Promise<JobStateItem | undefined> {
    const item = await this.table.getItem(keys.jobPk(source, jobId), keys.LATEST_SK);
    return item ? JobStateItem.parse(item) : undefined;
  }

  /** {@inheritDoc JobHistoryStore.recordObservation} */
  async recordObservation(record: JobRecord, fp = fingerprint(record)): Promise<ObservationResult> {
    // What this call wrote, across rounds: a round that lost the revision race still counted its runs.
    let newRuns = 0;
    let durationsRepaired = 0;
    const events: ServiceEvent[] = [];
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const latest = await this.getLatest(record.source, record.jobId);
      const plan = planObservation(latest, record, fp);
      if (plan.outcome !== 'changed') return { outcome: plan.outcome, attempt: plan.attempt, newRuns, durationsRepaired, events };
      const repairs = [...plan.repairs];
      for (const run of plan.runs) {
        const event = await this.runs.countRun(run);
        if (event) {
          newRuns += 1;
          events.push(event);
        }
        // Counted before (from an answer without its duration, then one with an unknown phase): complete it.
        else if (run.durationMs !== undefined) repairs.push(run);
      }
      for (const repair of repairs) {
        if (await this.runs.repairDuration(repair)) durationsRepaired += 1;
      }
      const meta = {
        fingerprint: fp,
        revision: plan.revision,
        attemptTerminal: plan.attemptTerminal,
        expiresAt: this.table.expiresAt(microsOf(plan.stored.observedAt)),
      };
      try {
        await this.table.transact([
          {
            Put: {
              TableName: this.table.name,
              Item: jobStateItem('revision', plan.stored, meta),
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          {
            Put: {
              TableName: this.table.name,
              Item: jobStateItem('job', plan.stored, meta),
              ...(latest
                ? { ConditionExpression: 'revision = :prev', ExpressionAttributeValues: { ':prev': latest.revision } }
                : { ConditionExpression: 'attribute_not_exists(PK)' }),
            },
          },
        ]);
        return { outcome: 'changed', attempt: plan.attempt, newRuns, durationsRepaired, events };
      } catch (error) {
        if (!isConflict(error)) throw error;
        // Another collector stored a state first: compare against it.
        await backoff(round);
      }
    }
    throw new ContentionError(`gave up recording ${record.source} job ${record.jobId} after ${MAX_ROUNDS} conflicting writes`);
  }

  /** {@inheritDoc JobHistoryStore.getJob} */
  async getJob(source: JobSource, jobId: string): Promise<{ job: JobRecord; history: JobRecord[] } | undefined> {
    const pk = keys.jobPk(source, jobId);
    const [latest, revisions] = await Promise.all([
      this.table.getItem(pk, keys.LATEST_SK, false),
      this.table.queryAll({
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :rev)',
        ExpressionAttributeValues: { ':pk': pk, ':rev': keys.REVISION_PREFIX },
      }),
    ]);
    if (!latest) return undefined;
    return { job: recordFromItem(latest), history: revisions.map(recordFromItem) };
  }

  /** {@inheritDoc JobHistoryStore.listJobs} */
  async listJobs(filter: JobListFilter, limit: number, startKey?: Record<string, string>): Promise<Page<JobRecord>> {
    // A forged position would otherwise reach DynamoDB as an invalid ExclusiveStartKey (a 500).
    if (startKey && !keys.isJobListPosition(startKey, filter)) throw new InvalidPositionError('not a position of this jobs listing');
    const names: Record<string, string> = {};
    const [index, pk, sk] = filter.inFlight ? (['GSI2', 'GSI2PK', 'GSI2SK'] as const) : (['GSI1', 'GSI1PK', 'GSI1SK'] as const);
    const values: Record<string, unknown> = { ':pk': filter.inFlight ? keys.IN_FLIGHT_GSI2PK : keys.JOBS_GSI1PK };
    let keyCondition = `${pk} = :pk`;
    if (filter.from && filter.to) {
      keyCondition += ` AND ${sk} BETWEEN :from AND :to`;
      values[':from'] = filter.from;
      values[':to'] = filter.to; // `to#...` sorts after `to`, so `to` itself is excluded: [from, to)
    } else if (filter.from) {
      keyCondition += ` AND ${sk} >= :from`;
      values[':from'] = filter.from;
    } else if (filter.to) {
      keyCondition += ` AND ${sk} < :to`;
      values[':to'] = filter.to;
    }
    const filters: string[] = [];
    const eq = (attr: string, value: string | undefined) => {
      if (value === undefined) return;
      names[`#${attr}`] = attr;
      values[`:${attr}`] = value;
      filters.push(`#${attr} = :${attr}`);
    };
    eq('source', filter.source);
    eq('type', filter.type);
    eq('status', filter.status);
    eq('fleetId', filter.fleetId);
    if (filter.clusterId !== undefined) {
      names['#clusterIds'] = 'clusterIds';
      values[':clusterId'] = filter.clusterId;
      filters.push('contains(#clusterIds, :clusterId)');
    }
    const items: JobRecord[] = [];
    let exclusive: Record<string, unknown> | undefined = startKey;
    // Bounded: a very selective filter returns a short page with a cursor rather than reading on and on.
    for (let page = 0; page < 20 && items.length < limit; page++) {
      const out = await this.table.query({
        IndexName: index,
        KeyConditionExpression: keyCondition,
        ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
        ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: limit - items.length,
        ExclusiveStartKey: exclusive,
      });
      items.push(...out.items.map(recordFromItem));
      exclusive = out.lastKey;
      if (!exclusive) break;
    }
    return { items, ...(exclusive ? { nextKey: exclusive as Record<string, string> } : {}) };
  }
}
