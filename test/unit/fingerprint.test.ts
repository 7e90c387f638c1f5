import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, fingerprint } from '../../lib/jobs/fingerprint';
import { CanonicalStatus, JobRecord, type JobStep } from '../../lib/jobs/record';

const seedRecord = (): JobRecord =>
  JobRecord.parse(JSON.parse(readFileSync(new URL('../fixtures/ucs/federation-progress.expected.json', import.meta.url), 'utf8')));

/** A deep copy with every object's keys in another order (reversed, then rotated by `shift`). */
function reorderKeys(value: unknown, shift: number): unknown {
  if (Array.isArray(value)) return value.map((v) => reorderKeys(v, shift));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).reverse();
  const k = entries.length === 0 ? 0 : shift % entries.length;
  return Object.fromEntries([...entries.slice(k), ...entries.slice(0, k)].map(([key, v]) => [key, reorderKeys(v, shift)]));
}

const iso = fc
  .date({ min: new Date('2000-01-01Z'), max: new Date('2100-01-01Z'), noInvalidDate: true })
  .map((d) => `${d.toISOString().slice(0, 23)}${String(d.getTime() % 1000).padStart(3, '0')}Z`);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const status = fc.constantFrom(...CanonicalStatus.options);
const step: fc.Arbitrary<JobStep> = fc.record(
  {
    stepId: fc.string({ minLength: 1 }),
    name: fc.string(),
    type: fc.string(),
    target: fc.string(),
    status,
    rawStatus: fc.string(),
    startedAt: iso,
    durationMs: fc.double({ min: 0, max: 1e9, noNaN: true }),
  },
  { requiredKeys: ['stepId', 'type', 'status'] },
);
const record: fc.Arbitrary<JobRecord> = fc.record(
  {
    source: fc.constantFrom('federation', 'policy'),
    jobId: fc.string({ minLength: 1 }),
    name: optional(fc.string()),
    type: fc.string(),
    status,
    reason: fc.string(),
    clusterIds: fc.array(fc.string()),
    startedAt: iso,
    attempt: fc.integer({ min: 1, max: 5 }),
    steps: fc.array(step, { minLength: 1, maxLength: 4 }),
    anomalies: fc.array(fc.record({ field: fc.string(), problem: fc.string() }), { minLength: 1, maxLength: 2 }),
    observedAt: iso,
  },
  { requiredKeys: ['source', 'jobId', 'type', 'status', 'attempt', 'steps', 'observedAt'] },
);

describe('canonicalJson', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"x":2,"y":1}]},"b":1}');
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('drops undefined members, so a key set to undefined equals an absent key', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
  });

  it('is independent of key order for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(10), (value, shift) => {
        expect(canonicalJson(reorderKeys(value, shift))).toBe(canonicalJson(value));
      }),
    );
  });
});

describe('fingerprint', () => {
  it('is a sha256 hex digest', () => {
    expect(fingerprint(seedRecord())).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores observedAt, attempt and key order', () => {
    fc.assert(
      fc.property(record, iso, fc.integer({ min: 1, max: 9 }), fc.nat(10), (r, observedAt, attempt, shift) => {
        const other = reorderKeys({ ...r, observedAt, attempt }, shift) as JobRecord;
        expect(fingerprint(other)).toBe(fingerprint(r));
      }),
    );
  });

  it('changes when any step status changes', () => {
    fc.assert(
      fc.property(record, fc.nat(), status, (r, pick, newStatus) => {
        const index = pick % r.steps.length;
        fc.pre(r.steps[index]!.status !== newStatus);
        const steps = r.steps.map((s, i) => (i === index ? { ...s, status: newStatus } : s));
        expect(fingerprint({ ...r, steps })).not.toBe(fingerprint(r));
      }),
    );
  });

  it('changes with the observed state: job status, reason, times, steps', () => {
    const base = seedRecord();
    const variants: JobRecord[] = [
      { ...base, status: 'failed' },
      { ...base, rawStatus: 'Succeeded' },
      { ...base, reason: 'retry' },
      { ...base, finishedAt: '2023-07-31T13:17:24.497869Z' },
      { ...base, steps: base.steps.slice(1) },
      { ...base, steps: base.steps.map((s, i) => (i === 3 ? { ...s, rawStatus: 'Done' } : s)) },
      { ...base, anomalies: [{ field: 'startedAt', problem: 'bad' }] },
    ];
    const prints = new Set([fingerprint(base), ...variants.map(fingerprint)]);
    expect(prints.size).toBe(variants.length + 1);
  });
});
