import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as keys from './keys';
import { Alerts } from './dynamodb/alerts';
import { JobHistory } from './dynamodb/job-history';
import { Outbox } from './dynamodb/outbox';
import { Rollups } from './dynamodb/rollups';
import { RunCounter } from './dynamodb/run-counter';
import { HistoryTable, type CapacityCounters } from './dynamodb/table';
import { Targets } from './dynamodb/targets';
import type { JobStore } from './port';

export { ContentionError, type CapacityCounters } from './dynamodb/table';

/** Options of the DynamoDB adapter. */
export interface DynamoDbJobStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Days to keep items (DynamoDB TTL on `expiresAt`); undefined keeps everything. */
  retentionDays?: number;
}

/**
 * The history store on one DynamoDB table (key design: KEYS.md), composed of one part per aggregate: job
 * history (./dynamodb/job-history.ts), run counting (run-counter.ts), rollups (rollups.ts) and the watch list
 * (targets.ts), the event outbox (outbox.ts) and alert state (alerts.ts), over shared table plumbing (table.ts). The rules they apply are domain code (lib/jobs/runs.ts).
 */
export class DynamoDbJobStore implements JobStore {
  /** Read and write units every part of this store consumed. */
  readonly capacity: CapacityCounters;
  private readonly table: HistoryTable;
  private readonly history: JobHistory;
  private readonly runs: RunCounter;
  private readonly rollups: Rollups;
  private readonly targets: Targets;
  private readonly outbox: Outbox;
  private readonly alerts: Alerts;

  constructor(options: DynamoDbJobStoreOptions) {
    this.table = new HistoryTable(options.client, options.tableName, options.retentionDays);
    this.capacity = this.table.capacity;
    this.runs = new RunCounter(this.table);
    this.history = new JobHistory(this.table, this.runs);
    this.rollups = new Rollups(this.table);
    this.targets = new Targets(this.table);
    this.outbox = new Outbox(this.table);
    this.alerts = new Alerts(this.table);
  }

  recordObservation: JobStore['recordObservation'] = (record, fp) => this.history.recordObservation(record, fp);
  getJob: JobStore['getJob'] = (source, jobId) => this.history.getJob(source, jobId);
  listJobs: JobStore['listJobs'] = (filter, limit, startKey) => this.history.listJobs(filter, limit, startKey);
  readRuns: JobStore['readRuns'] = (level, from, to) => this.runs.readRuns(level, from, to);

  readRollups: JobStore['readRollups'] = (range) => this.rollups.readRollups(range);
  compactRollups: JobStore['compactRollups'] = (range) => this.rollups.compactRollups(range);

  addTarget: JobStore['addTarget'] = (kind, id, now, addedBy) => this.targets.addTarget(kind, id, now, addedBy);
  getTarget: JobStore['getTarget'] = (kind, id) => this.targets.getTarget(kind, id);
  findTargets: JobStore['findTargets'] = (kind, ids) => this.targets.findTargets(kind, ids);
  listTargets: JobStore['listTargets'] = (options) => this.targets.listTargets(options);
  dueTargets: JobStore['dueTargets'] = (kind, now) => this.targets.dueTargets(kind, now);
  updateTarget: JobStore['updateTarget'] = (target) => this.targets.updateTarget(target);
  retireTarget: JobStore['retireTarget'] = (kind, id, now, reason) => this.targets.retireTarget(kind, id, now, reason);

  pendingEvents: JobStore['pendingEvents'] = (limit) => this.outbox.pendingEvents(limit);
  settleEvents: JobStore['settleEvents'] = (ids) => this.outbox.settleEvents(ids);
  recordOverdue: JobStore['recordOverdue'] = (event, job) => this.outbox.recordOverdue(event, job);

  openAlerts: JobStore['openAlerts'] = () => this.alerts.openAlerts();
  openAlert: JobStore['openAlert'] = (alert, event) => this.alerts.openAlert(alert, event);
  closeAlert: JobStore['closeAlert'] = (alert, event) => this.alerts.closeAlert(alert, event);
  listAlerts: JobStore['listAlerts'] = (filter, limit, startKey) => this.alerts.listAlerts(filter, limit, startKey);

  /** {@inheritDoc JobStore.ping} */
  async ping(): Promise<void> {
    await this.table.getItem(keys.META_PK, keys.metaSk('health'), false);
  }
}
