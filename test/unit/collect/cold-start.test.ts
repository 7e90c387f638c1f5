import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkCollectorConfig } from '../../../lib/collect/runtime';

// A collector's container reads its configuration once, at cold start (module load), so a bad setting fails the
// init naming the variable rather than surfacing later inside a run (issue 13, item 5).

const GOOD = { TABLE_NAME: 'cold-start-history', AWS_REGION: 'eu-west-1' };

describe('collector configuration at cold start', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it.each([
    [{ OVERDUE_FACTOR: '0' }, /OVERDUE_FACTOR: OVERDUE_FACTOR must be a number above 0/],
    [{ OVERDUE_FACTOR: '-1' }, /OVERDUE_FACTOR: OVERDUE_FACTOR must be a number above 0/],
    [{ OVERDUE_FACTOR: 'twice' }, /OVERDUE_FACTOR/],
    [{ ALERT_MIN_RUNS: '0' }, /ALERT_MIN_RUNS/],
    [{ EVENT_BUS_NAME: 'ops bus!' }, /EVENT_BUS_NAME: EVENT_BUS_NAME must be an EventBridge bus name or ARN/],
    [{ EVENT_BUS_NAME: 'arn:aws:sqs:eu-west-1:123456789012:queue' }, /EVENT_BUS_NAME/],
  ])('refuses %o, naming the variable', (bad, message) => {
    expect(() => checkCollectorConfig({ ...GOOD, ...bad })).toThrow(message);
  });

  it('accepts the defaults, a bus name and a bus ARN', () => {
    expect(() => checkCollectorConfig(GOOD)).not.toThrow();
    expect(() => checkCollectorConfig({ ...GOOD, EVENT_BUS_NAME: 'ops-events', OVERDUE_FACTOR: '1.5' })).not.toThrow();
    expect(() => checkCollectorConfig({ ...GOOD, EVENT_BUS_NAME: 'arn:aws:events:eu-west-1:123456789012:event-bus/ops-events' })).not.toThrow();
  });

  it.each(['collect-federations', 'collect-policy-jobs'])('fails the import of functions/%s itself', async (name) => {
    for (const [key, value] of Object.entries({ ...GOOD, EVENT_BUS_NAME: 'not a bus', OVERDUE_FACTOR: '2' })) vi.stubEnv(key, value);
    await expect(import(`../../../functions/${name}`)).rejects.toThrow(/EVENT_BUS_NAME/);
    vi.resetModules();
    vi.stubEnv('EVENT_BUS_NAME', 'ops-events');
    vi.stubEnv('OVERDUE_FACTOR', '0');
    await expect(import(`../../../functions/${name}`)).rejects.toThrow(/OVERDUE_FACTOR/);
    vi.resetModules();
    vi.stubEnv('OVERDUE_FACTOR', '2');
    await expect(import(`../../../functions/${name}`)).resolves.toHaveProperty('handler');
  });
});
