import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbExportStateStore } from '../../lib/export/export-state';
import { runScheduledExport, type ExportRequest, type ExportState, type TableExporter } from '../../lib/export/exporter';
import { createTestStore } from './support/store';

// The export bookkeeping item META / EXPORT on a real DynamoDB Local table (the export call itself is faked:
// DynamoDB Local has no ExportTableToPointInTime).

let doc: Awaited<ReturnType<typeof createTestStore>>['doc'];
let tableName: string;
beforeAll(async () => {
  ({ doc, tableName } = await createTestStore('export-state'));
});

const state = (arn: string, day: string): ExportState => ({
  lastExportTime: `${day}T02:55:00.000Z`,
  lastExportArn: arn,
  lastExportType: 'FULL_EXPORT',
  lastScheduleDay: day,
  updatedAt: `${day}T03:00:00.000Z`,
});

describe('DynamoDbExportStateStore', () => {
  it('is absent before the first export, then round-trips as a kind=meta item', async () => {
    const store = new DynamoDbExportStateStore(doc, tableName);
    expect(await store.read()).toBeUndefined();
    expect(await store.write(state('arn:1', '2025-11-10'), undefined)).toBe(true);
    expect(await store.read()).toEqual(state('arn:1', '2025-11-10'));
    const raw = await doc.send(new GetCommand({ TableName: tableName, Key: { PK: 'META', SK: 'EXPORT' } }));
    expect(raw.Item).toMatchObject({ PK: 'META', SK: 'EXPORT', kind: 'meta', lastExportArn: 'arn:1' });
  });

  it('refuses a write based on a state that is no longer the stored one', async () => {
    const store = new DynamoDbExportStateStore(doc, tableName);
    expect(await store.write(state('arn:2', '2025-11-11'), undefined)).toBe(false); // not first any more
    expect(await store.write(state('arn:2', '2025-11-11'), state('arn:0', '2025-11-09'))).toBe(false);
    expect(await store.write(state('arn:2', '2025-11-11'), state('arn:1', '2025-11-10'))).toBe(true);
    expect((await store.read())?.lastExportArn).toBe('arn:2');
  });

  it('drives full-then-incremental exports across days from the stored item', async () => {
    const { doc: freshDoc, tableName: freshTable } = await createTestStore('export-chain');
    const store = new DynamoDbExportStateStore(freshDoc, freshTable);
    const requests: ExportRequest[] = [];
    const exporter: TableExporter = {
      startExport: (r) => {
        requests.push(r);
        return Promise.resolve({ exportArn: `arn:export:${requests.length}` });
      },
    };
    await runScheduledExport({ exporter, state: store, scheduleTime: new Date('2025-11-10T03:00:00Z') });
    await runScheduledExport({ exporter, state: store, scheduleTime: new Date('2025-11-10T03:00:00Z') }); // retried schedule
    await runScheduledExport({ exporter, state: store, scheduleTime: new Date('2025-11-11T03:00:00Z') });
    expect(requests.map((r) => r.exportType)).toEqual(['FULL_EXPORT', 'INCREMENTAL_EXPORT']);
    expect(requests[1]).toMatchObject({ exportFromTime: new Date('2025-11-10T02:55:00Z'), exportToTime: new Date('2025-11-11T02:55:00Z') });
    expect(await store.read()).toMatchObject({ lastExportArn: 'arn:export:2', lastExportType: 'INCREMENTAL_EXPORT', lastScheduleDay: '2025-11-11' });
  });
});
