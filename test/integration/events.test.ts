import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBridgePublisher } from '../../lib/events/eventbridge';
import type { EventPublisher } from '../../lib/events/publisher';
import { runFinishedEvent, type ServiceEvent } from '../../lib/jobs/events';
import type { JobRecord } from '../../lib/jobs/record';
import * as keys from '../../lib/store/keys';
import type { DynamoDbJobStore } from '../../lib/store/dynamodb-store';
import { createWorld } from './support/harness';

// Events against DynamoDB Local and the HTTP UCS simulator (issue 13, item 2): exactly once in the data, at
// least once on the wire, nothing lost through an EventBridge outage, and the in-flight index of
// `GET /jobs?overdue=true` never reading a finished job.

type World = Awaited<ReturnType<typeof createWorld>>;
const worlds: World[] = [];
const servers: Server[] = [];
async function world(...args: Parameters<typeof createWorld>) {
  const w = await createWorld(...args);
  worlds.push(w);
  return w;
}
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const ALL = { from: '2025-01-01T00:00:00.000000Z', to: '2027-01-01T00:00:00.000000Z' };

/** A publisher that keeps what it was given. */
function recording(): EventPublisher & { events: ServiceEvent[] } {
  const events: ServiceEvent[] = [];
  return { events, publish: (batch) => (events.push(...batch), Promise.resolve({ failed: [] })) };
}

/** The `Job Run Finished` ids of every run the store counted, at both levels. */
async function countedRunIds(store: DynamoDbJobStore): Promise<string[]> {
  const runs = [...(await store.readRuns('job', ALL.from, ALL.to)), ...(await store.readRuns('step', ALL.from, ALL.to))];
  return runs.map((r) => runFinishedEvent(r).detail.id).sort();
}

async function outboxSize(w: World): Promise<number> {
  const out = await w.doc.send(new QueryCommand({ TableName: w.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.OUTBOX_PK } }));
  return out.Items?.length ?? 0;
}

/**
 * A stand-in for EventBridge's PutEvents on 127.0.0.1 (the AWS JSON 1.1 protocol): `down` answers 503 as an
 * outage would, `partial` refuses every other entry (as a throttled PutEvents does), `up` takes them all.
 */
async function eventBridgeStandIn() {
  const state = { mode: 'down' as 'down' | 'partial' | 'up', received: [] as { DetailType: string; Detail: string; EventBusName: string; Source: string }[], calls: 0 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      state.calls += 1;
      expect(req.headers['x-amz-target']).toBe('AWSEvents.PutEvents');
      if (state.mode === 'down') {
        res.writeHead(503, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'ServiceUnavailableException', message: 'outage' }));
        return;
      }
      const entries = (JSON.parse(body) as { Entries: (typeof state.received)[number][] }).Entries;
      const answers = entries.map((entry, n) => {
        if (state.mode === 'partial' && n % 2 === 1) return { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' };
        state.received.push(entry);
        return { EventId: `eb-${state.received.length}` };
      });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ FailedEntryCount: answers.filter((a) => 'ErrorCode' in a).length, Entries: answers }));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const client = new EventBridgeClient({
    region: 'eu-west-1',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' },
    maxAttempts: 1,
  });
  return { state, publisher: new EventBridgePublisher(client, 'ops-events') };
}

describe('events against DynamoDB Local', () => {
  it('gives five concurrent collectors on one timeline each run once in the data and its event at least once, always under the same id', async () => {
    const one = await world({ seed: 21, fleets: 2, policyJobsPerHour: 60 });
    const five = await world({ seed: 21, fleets: 2, policyJobsPerHour: 60 });
    const reference = recording();
    const publishers = Array.from({ length: 5 }, recording);
    const stores = publishers.map(() => five.otherStore());
    for (let step = 0; step < 14; step++) {
      await one.collectAll({ ignoreSchedule: true }, undefined, reference);
      await Promise.all(publishers.map((p, i) => five.collectAll({ ignoreSchedule: true }, stores[i], p)));
      one.clock.advance(30_000);
      five.clock.advance(30_000);
    }
    const counted = await countedRunIds(five.store);
    expect(counted.length, 'the timeline finished runs').toBeGreaterThan(10);
    expect(new Set(counted).size, 'each run counted once').toBe(counted.length);
    expect(counted).toEqual(await countedRunIds(one.store));

    const finished = (events: ServiceEvent[]) => events.filter((e) => e.detailType === 'Job Run Finished');
    const wire = publishers.flatMap((p) => finished(p.events));
    expect([...new Set(wire.map((e) => e.detail.id))].sort(), 'every counted run was told, nothing else').toEqual(counted);
    // A repeat is the same event: consumers can drop it by id.
    const byId = new Map<string, ServiceEvent>();
    for (const e of wire) {
      const first = byId.get(e.detail.id);
      if (first) expect(e, e.detail.id).toEqual(first);
      else byId.set(e.detail.id, e);
    }
    // ... and the same as the single collector's.
    for (const e of finished(reference.events)) expect(byId.get(e.detail.id)).toEqual(e);
    expect(await outboxSize(five)).toBe(0);
  });

  it('loses no data and no event through an EventBridge outage: the summary shows what waits, the next runs deliver it', async () => {
    const w = await world({ seed: 4, fleets: 1, policyJobsPerHour: 60 });
    const eventBridge = await eventBridgeStandIn();
    const pass = async () => {
      const summaries = await w.collectAll({ ignoreSchedule: true }, undefined, eventBridge.publisher);
      w.clock.advance(60_000);
      return { published: summaries.reduce((n, s) => n + s.eventsPublished, 0), pending: summaries.reduce((n, s) => n + s.eventsPending, 0) };
    };
    let pendingDuringOutage = 0;
    for (let i = 0; i < 5; i++) {
      const { published, pending } = await pass();
      expect(published).toBe(0);
      pendingDuringOutage = Math.max(pendingDuringOutage, pending);
    }
    expect(eventBridge.state.calls, 'the publisher really tried').toBeGreaterThan(0);
    expect(pendingDuringOutage).toBeGreaterThan(0);
    const countedDuringOutage = await countedRunIds(w.store);
    expect(countedDuringOutage.length, 'the data was stored all along').toBeGreaterThan(5);
    expect(await outboxSize(w)).toBeGreaterThanOrEqual(countedDuringOutage.length);

    eventBridge.state.mode = 'partial';
    const partial = await pass();
    expect(partial.published).toBeGreaterThan(0);
    expect(partial.pending).toBeGreaterThan(0);
    eventBridge.state.mode = 'up';
    for (let i = 0; i < 40 && (await outboxSize(w)) > 0; i++) await pass();
    expect(await outboxSize(w)).toBe(0);

    const received = eventBridge.state.received.filter((e) => e.DetailType === 'Job Run Finished');
    expect(new Set(received.map((e) => e.EventBusName))).toEqual(new Set(['ops-events']));
    expect(new Set(received.map((e) => e.Source))).toEqual(new Set(['ucs-job-history']));
    expect([...new Set(received.map((e) => (JSON.parse(e.Detail) as { id: string }).id))].sort()).toEqual(await countedRunIds(w.store));
  });

  it('lists overdue jobs from the in-flight index: its reads do not grow with finished jobs', async () => {
    const w = await world({ fleets: 0, policyJobsPerHour: 0 });
    const base = w.clock.now().getTime();
    const job = (i: number, status: 'running' | 'succeeded'): JobRecord => {
      const startedAt = new Date(base - 3_600_000 + i * 1000).toISOString().replace('Z', '000Z');
      return {
        source: 'policy',
        jobId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        name: `job-${i}`,
        type: 'UpdateConstraint',
        rawStatus: status === 'running' ? 'Running' : 'Succeeded',
        status,
        attempt: 1,
        createdAt: startedAt,
        startedAt,
        ...(status === 'succeeded' && { finishedAt: new Date(base - 3_000_000 + i * 1000).toISOString().replace('Z', '000Z'), durationMs: 600_000 }),
        waitTimeoutSec: 600,
        steps: [],
        observedAt: new Date(base).toISOString().replace('Z', '000Z'),
      };
    };
    const running = Array.from({ length: 20 }, (_, i) => job(i, 'running'));
    for (const r of running) await w.store.recordObservation(r);
    const read = async () => {
      const before = w.store.capacity.readUnits;
      const ids: string[] = [];
      let startKey: Record<string, string> | undefined;
      do {
        const page = await w.store.listJobs({ inFlight: true }, 100, startKey);
        ids.push(...page.items.map((j) => j.jobId));
        for (const item of page.items) expect(['running', 'pending']).toContain(item.status);
        startKey = page.nextKey;
      } while (startKey);
      return { ids: ids.sort(), units: w.store.capacity.readUnits - before };
    };
    const few = await read();
    expect(few.ids).toEqual(running.map((r) => r.jobId).sort());
    // 300 jobs that finished, and one of the running ones finishing: none of them is read any more.
    for (let i = 100; i < 400; i++) await w.store.recordObservation(job(i, 'succeeded'));
    await w.store.recordObservation({ ...job(0, 'succeeded'), observedAt: new Date(base + 1000).toISOString().replace('Z', '000Z') });
    const many = await read();
    expect(many.ids).toEqual(running.slice(1).map((r) => r.jobId).sort());
    expect(many.units).toBeLessThanOrEqual(few.units);
    expect(few.units).toBeGreaterThan(0);
  });
});
