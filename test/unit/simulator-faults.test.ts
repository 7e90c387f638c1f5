import { describe, expect, it } from 'vitest';
import { decideFault, UNKNOWN_PHASE, type FaultConfig } from '../../lib/local/simulator';
import { driftBody, malformedBody } from '../../lib/local/simulator/faults';

/** A nested property of a JSON body, undefined when any step is missing (bodies are inspected loosely). */
function at(value: unknown, ...keys: (string | number)[]): unknown {
  let cur = value;
  for (const k of keys) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[k] : undefined;
  return cur;
}

describe('decideFault', () => {
  it('is deterministic for a seed and request number, and varies with the seed', () => {
    const config: FaultConfig = { error500Rate: 0.2, throttleRate: 0.2, timeoutRate: 0.1, malformedRate: 0.1, driftRate: 0.1, seed: 5 };
    const a = Array.from({ length: 200 }, (_, n) => decideFault(config, n));
    const b = Array.from({ length: 200 }, (_, n) => decideFault(config, n));
    const c = Array.from({ length: 200 }, (_, n) => decideFault({ ...config, seed: 6 }, n));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('hits each fault at about its rate, and never with rate 0', () => {
    const n = 4000;
    const count = (config: FaultConfig, kind: string): number => Array.from({ length: n }, (_, i) => decideFault(config, i)).filter((d) => d.kind === kind).length;
    expect(count({ error500Rate: 0.25, seed: 1 }, 'error500') / n).toBeCloseTo(0.25, 1);
    expect(count({ throttleRate: 0.5, seed: 1 }, 'throttle') / n).toBeCloseTo(0.5, 1);
    expect(count({ timeoutRate: 0.1, seed: 1 }, 'timeout') / n).toBeCloseTo(0.1, 1);
    expect(count({ malformedRate: 0.1, driftRate: 0.1 }, 'none')).toBeGreaterThan(0.7 * n);
    expect(count({}, 'none')).toBe(n);
  });
});

describe('fault bodies', () => {
  const body = { metadata: { uid: 'u', updateTimestamp: 'x' }, status: { phase: 'Running', startTime: 's' } };

  it('drifts a body three ways without touching the original', () => {
    const extra = driftBody(body, 'extra-fields');
    expect(at(extra, 'x_ucs_trace')).toBeDefined();
    expect(at(extra, 'metadata', 'labels')).toBeDefined();
    const missing = driftBody(body, 'missing-optional');
    expect(at(missing, 'metadata', 'updateTimestamp')).toBeUndefined();
    expect(at(missing, 'metadata', 'uid')).toBe('u');
    expect(at(missing, 'status', 'startTime')).toBeUndefined();
    expect(at(driftBody(body, 'unknown-phase'), 'status', 'phase')).toBe(UNKNOWN_PHASE);
    expect(at(driftBody({ status: { status: 'Succeeded' } }, 'unknown-phase'), 'status', 'status')).toBe(UNKNOWN_PHASE);
    expect(at(driftBody({ items: [{ status: { status: 'Failed' } }] }, 'unknown-phase'), 'items', 0, 'status', 'status')).toBe(UNKNOWN_PHASE);
    expect(body.status.phase).toBe('Running');
  });

  it('malformed bodies are not JSON', () => {
    for (const json of [JSON.stringify(body), '{}', '[]']) expect(() => JSON.parse(malformedBody(json)) as unknown).toThrow();
  });
});
