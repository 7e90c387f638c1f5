import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseAlertConfig, parseAlertDuration } from '../../../lib/alerts/config';
import { MICROS_PER_DAY, MICROS_PER_HOUR } from '../../../lib/rollup/buckets';

describe('alert configuration', () => {
  it('defaults to a 24 h window against a 7 d baseline and 5 runs', () => {
    expect(parseAlertConfig({})).toEqual({ windowUs: MICROS_PER_DAY, baselineUs: 7 * MICROS_PER_DAY, minRuns: 5, overdueFactor: 2 });
    expect(parseAlertConfig({ ALERT_WINDOW: '36h', ALERT_BASELINE: '14d', ALERT_MIN_RUNS: '20', API_URL: 'https://x.example/' })).toEqual({
      windowUs: 36 * MICROS_PER_HOUR,
      baselineUs: 14 * MICROS_PER_DAY,
      minRuns: 20,
      overdueFactor: 2,
      apiUrl: 'https://x.example',
    });
  });

  it('reads whole hours or days only', () => {
    expect(parseAlertDuration('1h')).toBe(MICROS_PER_HOUR);
    expect(parseAlertDuration('7d')).toBe(7 * MICROS_PER_DAY);
    for (const bad of ['0h', '-1h', '24', '1.5h', 'PT24H', '90m', 'h', '']) expect(parseAlertDuration(bad), bad).toBeUndefined();
  });

  it.each([
    [{ ALERT_WINDOW: '0h' }, 'ALERT_WINDOW'],
    [{ ALERT_WINDOW: '-24h' }, 'ALERT_WINDOW'],
    [{ ALERT_WINDOW: 'a day' }, 'ALERT_WINDOW'],
    [{ ALERT_BASELINE: '7 days' }, 'ALERT_BASELINE'],
    [{ ALERT_MIN_RUNS: '0' }, 'ALERT_MIN_RUNS'],
    [{ API_URL: 'not a url' }, 'API_URL'],
  ])('fails at cold start naming the variable: %o', (env, name) => {
    expect(() => parseAlertConfig(env)).toThrow(new RegExp(`Invalid configuration: ${name}`));
  });
});

describe('evaluateAlerts at cold start', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('fails the import of functions/evaluate-alerts itself, naming the variable', async () => {
    for (const [key, value] of Object.entries({ TABLE_NAME: 'cold-start-history', AWS_REGION: 'eu-west-1', ALERT_WINDOW: '0h' })) vi.stubEnv(key, value);
    await expect(import('../../../functions/evaluate-alerts')).rejects.toThrow(/ALERT_WINDOW/);
    vi.resetModules();
    vi.stubEnv('ALERT_WINDOW', '24h');
    vi.stubEnv('EVENT_BUS_NAME', 'not a bus');
    await expect(import('../../../functions/evaluate-alerts')).rejects.toThrow(/EVENT_BUS_NAME/);
    vi.resetModules();
    vi.stubEnv('EVENT_BUS_NAME', 'default');
    await expect(import('../../../functions/evaluate-alerts')).resolves.toHaveProperty('handler');
  });
});
