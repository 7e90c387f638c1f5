import { describe, expect, it } from 'vitest';
import { exportCommandInput } from '../../lib/export/aws-exporter';
import {
  EXPORT_LAG_MS,
  exportClientToken,
  planExport,
  runScheduledExport,
  type ExportRequest,
  type ExportState,
  type ExportStateStore,
  type TableExporter,
} from '../../lib/export/exporter';

/** A fake exporter that records requests and, like DynamoDB, answers a repeated token with the same export. */
function fakeExporter() {
  const requests: ExportRequest[] = [];
  const byToken = new Map<string, string>();
  const exporter: TableExporter = {
    startExport: (request) => {
      requests.push(request);
      const arn = byToken.get(request.clientToken) ?? `arn:aws:dynamodb:eu-west-1:1:table/t/export/${byToken.size + 1}`;
      byToken.set(request.clientToken, arn);
      return Promise.resolve({ exportArn: arn });
    },
  };
  return { exporter, requests, exportsStarted: () => byToken.size };
}

function memoryState(initial?: ExportState) {
  let stored = initial;
  const state: ExportStateStore = {
    read: () => Promise.resolve(stored),
    write: (next, previous) => {
      if (stored?.lastExportArn !== previous?.lastExportArn) return Promise.resolve(false);
      stored = next;
      return Promise.resolve(true);
    },
  };
  return { state, current: () => stored };
}

const at = (iso: string) => new Date(iso);

describe('planExport', () => {
  it('exports in full the first time, up to the schedule time minus the PITR lag', () => {
    const plan = planExport(undefined, at('2025-11-10T03:00:00.123Z'));
    expect(plan).toEqual({
      action: 'export',
      scheduleDay: '2025-11-10',
      request: { clientToken: exportClientToken('2025-11-10'), exportType: 'FULL_EXPORT', exportTime: at('2025-11-10T02:55:00Z') },
    });
    expect(EXPORT_LAG_MS).toBe(5 * 60_000);
  });

  it('continues incrementally from the last export time', () => {
    const state: ExportState = {
      lastExportTime: '2025-11-10T02:55:00.000Z',
      lastExportArn: 'arn:1',
      lastExportType: 'FULL_EXPORT',
      lastScheduleDay: '2025-11-10',
      updatedAt: '2025-11-10T03:00:01.000Z',
    };
    const plan = planExport(state, at('2025-11-11T03:00:00Z'));
    expect(plan).toMatchObject({
      action: 'export',
      request: { exportType: 'INCREMENTAL_EXPORT', exportFromTime: at('2025-11-10T02:55:00Z'), exportToTime: at('2025-11-11T02:55:00Z'), clientToken: exportClientToken('2025-11-11') },
    });
  });

  it('skips a second schedule on the same day, and restarts with a full export after a gap over 24 h', () => {
    const state: ExportState = {
      lastExportTime: '2025-11-10T02:55:00.000Z',
      lastExportArn: 'arn:1',
      lastExportType: 'FULL_EXPORT',
      lastScheduleDay: '2025-11-10',
      updatedAt: '2025-11-10T03:00:01.000Z',
    };
    expect(planExport(state, at('2025-11-10T23:59:00Z'))).toMatchObject({ action: 'skip' });
    expect(planExport(state, at('2025-11-14T03:00:00Z'))).toMatchObject({ action: 'export', request: { exportType: 'FULL_EXPORT' } });
    // Less than DynamoDB's 15-minute minimum since the last export (a manual run just after midnight): nothing.
    expect(planExport({ ...state, lastScheduleDay: '2025-11-09' }, at('2025-11-10T03:10:00Z'))).toMatchObject({ action: 'skip' });
  });

  it('derives distinct tokens per day and the same token for the same day', () => {
    const a = planExport(undefined, at('2025-11-10T03:00:00Z'));
    const b = planExport(undefined, at('2025-11-10T03:00:00Z'));
    const c = planExport(undefined, at('2025-11-11T03:00:00Z'));
    expect(a).toEqual(b);
    if (a.action !== 'export' || c.action !== 'export') throw new Error('expected exports');
    expect(a.request.clientToken).not.toBe(c.request.clientToken);
  });
});

describe('runScheduledExport', () => {
  it('records the export in the state, and a repeated schedule the same day exports nothing', async () => {
    const { exporter, requests, exportsStarted } = fakeExporter();
    const { state, current } = memoryState();
    const scheduleTime = at('2025-11-10T03:00:00Z');
    const first = await runScheduledExport({ exporter, state, scheduleTime, now: () => at('2025-11-10T03:00:02Z') });
    expect(first).toMatchObject({ outcome: 'started', exportType: 'FULL_EXPORT', upTo: '2025-11-10T02:55:00.000Z' });
    expect(current()).toEqual({
      lastExportTime: '2025-11-10T02:55:00.000Z',
      lastExportArn: first.outcome === 'started' ? first.exportArn : '',
      lastExportType: 'FULL_EXPORT',
      lastScheduleDay: '2025-11-10',
      updatedAt: '2025-11-10T03:00:02.000Z',
    });
    const again = await runScheduledExport({ exporter, state, scheduleTime });
    expect(again.outcome).toBe('skipped');
    expect(requests).toHaveLength(1);

    const next = await runScheduledExport({ exporter, state, scheduleTime: at('2025-11-11T03:00:00Z') });
    expect(next).toMatchObject({ outcome: 'started', exportType: 'INCREMENTAL_EXPORT', upTo: '2025-11-11T02:55:00.000Z' });
    expect(requests[1]).toMatchObject({ exportFromTime: at('2025-11-10T02:55:00Z') });
    expect(exportsStarted()).toBe(2);
    expect(current()?.lastExportType).toBe('INCREMENTAL_EXPORT');
  });

  it('two concurrent runs of one schedule start one export (same token) and keep one state', async () => {
    const { exporter, requests, exportsStarted } = fakeExporter();
    const { state, current } = memoryState();
    const scheduleTime = at('2025-11-10T03:00:00Z');
    await Promise.all([runScheduledExport({ exporter, state, scheduleTime }), runScheduledExport({ exporter, state, scheduleTime })]);
    expect(requests).toHaveLength(2);
    expect(requests[0]).toEqual(requests[1]);
    expect(exportsStarted()).toBe(1);
    expect(current()?.lastScheduleDay).toBe('2025-11-10');
  });

  it('does not record anything when the export call fails (the next run retries with the same token)', async () => {
    const { state, current } = memoryState();
    const exporter: TableExporter = { startExport: () => Promise.reject(new Error('PointInTimeRecoveryUnavailableException')) };
    await expect(runScheduledExport({ exporter, state, scheduleTime: at('2025-11-10T03:00:00Z') })).rejects.toThrow(/PointInTime/);
    expect(current()).toBeUndefined();
  });
});

describe('the ExportTableToPointInTime command', () => {
  const destination = { tableArn: 'arn:aws:dynamodb:eu-west-1:1:table/t', bucket: 'b', prefix: 'exports/' };
  it('sends a full export with its time, token, bucket and prefix', () => {
    const input = exportCommandInput({ clientToken: 'tok', exportType: 'FULL_EXPORT', exportTime: at('2025-11-10T02:55:00Z') }, destination);
    expect(input).toEqual({
      TableArn: destination.tableArn,
      S3Bucket: 'b',
      S3Prefix: 'exports/',
      S3SseAlgorithm: 'AES256',
      ExportFormat: 'DYNAMODB_JSON',
      ClientToken: 'tok',
      ExportType: 'FULL_EXPORT',
      ExportTime: at('2025-11-10T02:55:00Z'),
    });
  });
  it('sends an incremental export with NEW_IMAGE and no ExportTime', () => {
    const input = exportCommandInput(
      { clientToken: 'tok', exportType: 'INCREMENTAL_EXPORT', exportFromTime: at('2025-11-10T02:55:00Z'), exportToTime: at('2025-11-11T02:55:00Z') },
      destination,
    );
    expect(input).toMatchObject({
      ExportType: 'INCREMENTAL_EXPORT',
      IncrementalExportSpecification: { ExportFromTime: at('2025-11-10T02:55:00Z'), ExportToTime: at('2025-11-11T02:55:00Z'), ExportViewType: 'NEW_IMAGE' },
    });
    expect(input).not.toHaveProperty('ExportTime');
  });
});
