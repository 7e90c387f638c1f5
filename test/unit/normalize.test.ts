import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { normalizeFederationJob, normalizePolicyJob } from '../../lib/jobs/normalize';
import { JobRecord } from '../../lib/jobs/record';
import { logger } from '../../lib/observability';
import { FederationJob, PolicyJob, parseUcsResponse } from '../../lib/ucs/schemas';

const OBSERVED = '2025-11-10T08:00:00.000000Z';
// Untyped on purpose: tests mutate the raw bodies into invalid shapes.
// eslint-disable-next-line @typescript-eslint/no-unsafe-return
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/ucs/${name}`, import.meta.url), 'utf8'));

/** Schema-parses a raw federation body and normalizes it for fleet `fleet-1`. */
function federation(body: unknown, fleetId = 'fleet-1'): JobRecord {
  return checked(normalizeFederationJob(parseUcsResponse(FederationJob, body, 'test'), { fleetId, observedAt: OBSERVED }));
}
/** Schema-parses a raw policy body and normalizes it. */
function policy(body: unknown, fleetId?: string): JobRecord {
  const ctx = fleetId === undefined ? { observedAt: OBSERVED } : { observedAt: OBSERVED, fleetId };
  return checked(normalizePolicyJob(parseUcsResponse(PolicyJob, body, 'test'), ctx));
}
/** Every normalized record must satisfy the JobRecord schema and carry no undefined-valued keys. */
function checked(record: JobRecord): JobRecord {
  expect(JobRecord.parse(record)).toEqual(record);
  expect(undefinedKeys(record)).toEqual([]);
  return record;
}
function undefinedKeys(value: unknown, path = ''): string[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => (v === undefined ? [`${path}${k}`] : undefinedKeys(v, `${path}${k}.`)));
}

let warn: MockInstance<typeof logger.warn>;
beforeEach(() => {
  warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('seed responses', () => {
  it('normalizes the federation seed into the hand-written record', () => {
    const record = federation(fixture('federation-progress.seed.json'), 'fleet-seed');
    expect(record).toStrictEqual(fixture('federation-progress.expected.json'));
    expect(record.durationMs).toBe(63776.861);
    const byType = Object.fromEntries(record.steps.map((s) => [s.type, s.durationMs]));
    expect(byType).toMatchObject({ CreateNetworkResource: 63745.468, CreateNode: 1348.715, CreateCert: 0 });
    expect(warn).not.toHaveBeenCalled();
  });

  it('normalizes the policy seed into the hand-written record', () => {
    const record = policy(fixture('policy-job.seed.json'));
    expect(record).toStrictEqual(fixture('policy-job.expected.json'));
    expect(record.durationMs).toBe(4984.451);
    expect(record.steps[0]?.durationMs).toBe(1135.729);
    expect(warn).not.toHaveBeenCalled();
  });

  it('stores observedAt with microseconds whatever precision the caller gives', () => {
    const record = normalizePolicyJob(parseUcsResponse(PolicyJob, fixture('policy-job.seed.json'), 'test'), {
      observedAt: '2025-11-10T08:00:00.123Z',
    });
    expect(record.observedAt).toBe('2025-11-10T08:00:00.123000Z');
    expect(() =>
      normalizePolicyJob(parseUcsResponse(PolicyJob, fixture('policy-job.seed.json'), 'test'), { observedAt: 'now' }),
    ).toThrow(RangeError);
  });
});

describe('federation edge cases', () => {
  it('Go zero times mean not set, without anomalies', () => {
    const record = federation({
      metadata: { uid: 'j1', creationTimestamp: '0001-01-01T00:00:00Z' },
      spec: {
        type: 'DeleteFederation',
        subJobs: [{ metadata: { uid: 's1' }, spec: { type: 'DeleteCert' }, status: { phase: 'Pending', startTime: '0001-01-01 00:00:00 +0000 UTC', completionTime: '' } }],
      },
      status: { phase: 'Pending', startTime: '0001-01-01 00:00:00 +0000 UTC', completionTime: '0001-01-01 00:00:00 +0000 UTC' },
    });
    expect(record).toStrictEqual({
      source: 'federation',
      jobId: 'j1',
      type: 'DeleteFederation',
      rawStatus: 'Pending',
      status: 'pending',
      fleetId: 'fleet-1',
      attempt: 1,
      steps: [{ stepId: 's1', type: 'DeleteCert', status: 'pending', rawStatus: 'Pending' }],
      observedAt: OBSERVED,
    });
    expect(warn).not.toHaveBeenCalled();
  });

  it('an unknown phase is kept raw and maps to unknown', () => {
    const record = federation({ metadata: { uid: 'j2', name: 'n' }, spec: { type: 'UpgradeFederation' }, status: { phase: 'Reconciling', reason: 'waiting for nodes' } });
    expect(record).toStrictEqual({
      source: 'federation',
      jobId: 'j2',
      name: 'n',
      type: 'UpgradeFederation',
      rawStatus: 'Reconciling',
      status: 'unknown',
      reason: 'waiting for nodes',
      fleetId: 'fleet-1',
      attempt: 1,
      steps: [],
      observedAt: OBSERVED,
    });
  });

  it('reads 9-digit fractions and a monotonic m=+0.0001 suffix at microsecond precision', () => {
    const record = federation({
      metadata: { uid: 'j3', creationTimestamp: '2023-07-31 13:16:19.999999999 +0000 UTC m=+0.0001' },
      spec: { type: 'CreateFederation' },
      status: {
        phase: 'Success',
        startTime: '2023-07-31 13:16:20.123456789 +0000 UTC m=+0.000100001',
        completionTime: '2023-07-31 13:16:21.000000999 +0000 UTC m=+0.0001',
      },
    });
    expect(record).toStrictEqual({
      source: 'federation',
      jobId: 'j3',
      type: 'CreateFederation',
      rawStatus: 'Success',
      status: 'succeeded',
      fleetId: 'fleet-1',
      createdAt: '2023-07-31T13:16:19.999999Z',
      startedAt: '2023-07-31T13:16:20.123456Z',
      finishedAt: '2023-07-31T13:16:21.000000Z',
      durationMs: 876.544,
      attempt: 1,
      steps: [],
      observedAt: OBSERVED,
    });
  });

  it('accepts an object extendParam and a string extendparam without changing the record', () => {
    const body = fixture('federation-progress.seed.json');
    body.spec.extendparam = 'JobExtendParamKeyElbID=abc';
    body.spec.subJobs[0].spec.extendParam = { JobExtendParamKeyElbID: 'abc', nested: { a: [1] } };
    body.spec.subJobs[2].spec.extendparam = '';
    expect(federation(body, 'fleet-seed')).toStrictEqual(fixture('federation-progress.expected.json'));
  });

  it('a sub-job finishing before it started keeps both times, has no duration, and is an anomaly', () => {
    const record = federation({
      metadata: { uid: 'j4' },
      spec: {
        type: 'CreateFederation',
        subJobs: [
          { metadata: { uid: 'ok' }, spec: { type: 'A' }, status: { phase: 'Success', startTime: '2023-07-31 13:00:00 +0000 UTC', completionTime: '2023-07-31 13:00:01 +0000 UTC' } },
          { metadata: { uid: 'bad' }, spec: { type: 'B' }, status: { phase: 'Success', startTime: '2023-07-31 13:00:02 +0000 UTC', completionTime: '2023-07-31 13:00:01.5 +0000 UTC' } },
        ],
      },
      status: { phase: 'Success' },
    });
    expect(record).toStrictEqual({
      source: 'federation',
      jobId: 'j4',
      type: 'CreateFederation',
      rawStatus: 'Success',
      status: 'succeeded',
      fleetId: 'fleet-1',
      attempt: 1,
      steps: [
        { stepId: 'ok', type: 'A', status: 'succeeded', rawStatus: 'Success', startedAt: '2023-07-31T13:00:00.000000Z', finishedAt: '2023-07-31T13:00:01.000000Z', durationMs: 1000 },
        { stepId: 'bad', type: 'B', status: 'succeeded', rawStatus: 'Success', startedAt: '2023-07-31T13:00:02.000000Z', finishedAt: '2023-07-31T13:00:01.500000Z' },
      ],
      anomalies: [
        {
          field: 'steps[1].durationMs',
          problem:
            'spec.subJobs[1].status.completionTime (2023-07-31T13:00:01.500000Z) is before spec.subJobs[1].status.startTime (2023-07-31T13:00:02.000000Z); no duration',
        },
      ],
      observedAt: OBSERVED,
    });
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('a job finishing before it started is an anomaly at the job level', () => {
    const record = federation({ metadata: { uid: 'j5' }, spec: { type: 'T' }, status: { phase: 'Failed', startTime: '2023-07-31T13:00:02Z', completionTime: '2023-07-31T13:00:01Z' } });
    expect(record.durationMs).toBeUndefined();
    expect(record.startedAt).toBe('2023-07-31T13:00:02.000000Z');
    expect(record.finishedAt).toBe('2023-07-31T13:00:01.000000Z');
    expect(record.anomalies?.map((a) => a.field)).toEqual(['durationMs']);
    expect(warn).toHaveBeenCalledTimes(1);
  });
});

describe('policy edge cases', () => {
  it('a missing status gives unknown with no raw status or times', () => {
    const record = policy({ metadata: { uid: 'p1', name: 'job' }, spec: { type: 'UpdateConstraint', taskList: [] } });
    expect(record).toStrictEqual({ source: 'policy', jobId: 'p1', name: 'job', type: 'UpdateConstraint', status: 'unknown', attempt: 1, steps: [], observedAt: OBSERVED });
  });

  it('a job without spec gets type unknown', () => {
    expect(policy({ metadata: { uid: 'p0' }, status: { status: 'Running' } })).toStrictEqual({
      source: 'policy',
      jobId: 'p0',
      type: 'unknown',
      rawStatus: 'Running',
      status: 'running',
      attempt: 1,
      steps: [],
      observedAt: OBSERVED,
    });
  });

  it('a running job with no finish time has a start but no finish or duration', () => {
    const record = policy({
      metadata: { uid: 'p2', creationTimestamp: '2025-11-10 07:24:03.529155 +0000 UTC' },
      spec: {
        type: 'EnablePolicy',
        waitTimeOut: '1800',
        taskList: [
          { metadata: { uid: 't1' }, spec: { target: 'c1', targetType: 'cluster', type: 'EnablePolicy' }, status: { status: 'Running', startTime: '2025-11-10T15:24:03.553733+08:00', finishTime: '' } },
        ],
      },
      status: { status: 'Running', startTime: '2025-11-10T15:24:03.540316+08:00', finishTime: null },
    });
    expect(record).toStrictEqual({
      source: 'policy',
      jobId: 'p2',
      type: 'EnablePolicy',
      rawStatus: 'Running',
      status: 'running',
      clusterIds: ['c1'],
      createdAt: '2025-11-10T07:24:03.529155Z',
      startedAt: '2025-11-10T07:24:03.540316Z',
      waitTimeoutSec: 1800,
      attempt: 1,
      steps: [{ stepId: 't1', type: 'EnablePolicy', target: 'c1', targetType: 'cluster', status: 'running', rawStatus: 'Running', startedAt: '2025-11-10T07:24:03.553733Z' }],
      observedAt: OBSERVED,
    });
  });

  it('applies +05:45 and -03:00 offsets', () => {
    const record = policy({
      metadata: { uid: 'p3', creationTimestamp: '2025-11-10 12:59:00 +0545 +0545' },
      spec: { type: 'T', taskList: [] },
      status: { status: 'Succeeded', startTime: '2025-11-10T12:59:03.5+05:45', finishTime: '2025-11-10T04:14:04-03:00' },
    });
    expect(record).toStrictEqual({
      source: 'policy',
      jobId: 'p3',
      type: 'T',
      rawStatus: 'Succeeded',
      status: 'succeeded',
      createdAt: '2025-11-10T07:14:00.000000Z',
      startedAt: '2025-11-10T07:14:03.500000Z',
      finishedAt: '2025-11-10T07:14:04.000000Z',
      durationMs: 500,
      attempt: 1,
      steps: [],
      observedAt: OBSERVED,
    });
  });

  it('an empty taskList gives no steps and no clusterIds', () => {
    const body = fixture('policy-job.seed.json');
    body.spec.taskList = [];
    const expected = fixture('policy-job.expected.json');
    delete expected.clusterIds;
    expected.steps = [];
    expect(policy(body)).toStrictEqual(expected);
  });

  it('a task without metadata.uid uses its name, else its position; repeated ids get the position', () => {
    const task = (metadata: object, target: string, targetType = 'cluster') => ({ metadata, spec: { target, targetType, type: 'T' }, status: { status: 'Succeeded' } });
    const record = policy({
      metadata: { uid: 'p4' },
      spec: {
        type: 'T',
        taskList: [task({ name: 'by-name' }, 'c1'), task({}, 'c2'), task({ uid: '' }, 'c1'), task({ uid: 'by-name' }, 'ns-1', 'namespace')],
      },
      status: { status: 'Succeeded' },
    });
    const step = (stepId: string, target: string, targetType = 'cluster', name?: string) => ({
      stepId,
      ...(name === undefined ? {} : { name }),
      type: 'T',
      target,
      targetType,
      status: 'succeeded',
      rawStatus: 'Succeeded',
    });
    expect(record).toStrictEqual({
      source: 'policy',
      jobId: 'p4',
      type: 'T',
      rawStatus: 'Succeeded',
      status: 'succeeded',
      clusterIds: ['c1', 'c2'],
      attempt: 1,
      steps: [step('by-name', 'c1', 'cluster', 'by-name'), step('index-1', 'c2'), step('index-2', 'c1'), step('by-name#3', 'ns-1', 'namespace')],
      observedAt: OBSERVED,
    });
  });

  it('a job first seen in a retry starts at attempt 2; a task\'s odd waitTimeOut is left out, not fatal', () => {
    const body = fixture('policy-job.seed.json');
    body.spec.operation = 'Retry';
    body.spec.taskList[0].spec.waitTimeOut = 'soon';
    const record = policy(body);
    expect(record.attempt).toBe(2);
    expect(record.steps[0]).not.toHaveProperty('waitTimeoutSec');
    body.spec.operation = 'create';
    body.spec.taskList[0].spec.waitTimeOut = '900';
    expect(policy(body)).toMatchObject({ attempt: 1, steps: [{ waitTimeoutSec: 900 }] });
  });

  it('TimedOut and Timeout map to timed_out', () => {
    const body = fixture('policy-job.seed.json');
    body.status = { status: 'TimedOut', reason: 'job exceeded 3600s', startTime: body.status.startTime };
    body.spec.taskList[0].status.status = 'Timeout';
    const expected = fixture('policy-job.expected.json');
    Object.assign(expected, { rawStatus: 'TimedOut', status: 'timed_out', reason: 'job exceeded 3600s' });
    delete expected.finishedAt;
    delete expected.durationMs;
    Object.assign(expected.steps[0], { rawStatus: 'Timeout', status: 'timed_out' });
    expect(policy(body)).toStrictEqual(expected);
  });

  it('an unparsable time becomes an anomaly; the field is absent and the rest of the record kept; one warning', () => {
    const body = fixture('policy-job.seed.json');
    body.status.finishTime = 'tomorrow-ish';
    body.spec.taskList[0].status.startTime = '2025-11-31T10:00:00Z';
    const expected = fixture('policy-job.expected.json');
    delete expected.finishedAt;
    delete expected.durationMs;
    delete expected.steps[0].startedAt;
    delete expected.steps[0].durationMs;
    expected.anomalies = [
      { field: 'finishedAt', problem: 'status.finishTime: not a Go time.String() or RFC 3339 time', value: 'tomorrow-ish' },
      { field: 'steps[0].startedAt', problem: 'spec.taskList[0].status.startTime: no such calendar date', value: '2025-11-31T10:00:00Z' },
    ];
    expect(policy(body)).toStrictEqual(expected);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[1]).toMatchObject({ source: 'policy', jobId: 'c7678551-1f7e-4699-9ea1-3baa2d32f552' });
  });

  it('takes the fleet from related objects, else from the context, else leaves it out', () => {
    const body = fixture('policy-job.seed.json');
    expect(policy(body).fleetId).toBeUndefined();
    expect(policy(body, 'fleet-ctx').fleetId).toBe('fleet-ctx');
    for (const key of ['clustergroup', 'clusterGroupID', 'cluster_group_id', 'Fleet', 'fleetID']) {
      body.spec.relatedObjects = { policyID: 'x', [key]: 'fleet-rel' };
      expect(policy(body, 'fleet-ctx').fleetId, key).toBe('fleet-rel');
    }
    body.spec.relatedObjects = { clusterID: 'c9', fleetId: '' };
    expect(policy(body, 'fleet-ctx').fleetId).toBe('fleet-ctx');
  });
});

// ---- properties ----

const goTime = fc
  .tuple(fc.date({ min: new Date('2000-01-01Z'), max: new Date('2100-01-01Z'), noInvalidDate: true }), fc.integer({ min: 0, max: 999_999_999 }))
  .map(([d, ns]) => `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)}.${String(ns).padStart(9, '0')} +0000 UTC`);
const rfcTime = fc
  .tuple(fc.date({ min: new Date('2000-01-01Z'), max: new Date('2100-01-01Z'), noInvalidDate: true }), fc.constantFrom('Z', '+08:00', '-03:00', '+05:45'))
  .map(([d, off]) => `${d.toISOString().slice(0, 23)}${off}`);
const anyTime = fc.oneof(goTime, rfcTime, fc.constantFrom('', '0001-01-01 00:00:00 +0000 UTC', '0001-01-01T00:00:00Z'), fc.string());
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.constant(null), fc.constant(undefined));
const statusWord = fc.oneof(fc.constantFrom('Success', 'Succeeded', 'failed', 'TimedOut', ' running ', 'Pending', 'Weird'), fc.string());
const extend = maybe(fc.oneof(fc.string(), fc.dictionary(fc.string(), fc.jsonValue())));
const meta = fc.record({ uid: maybe(fc.string()), name: maybe(fc.string()), creationTimestamp: maybe(anyTime) }, { requiredKeys: [] });
const jobMeta = fc.record({ uid: fc.string({ minLength: 1 }), name: maybe(fc.string()), creationTimestamp: maybe(anyTime) }, { requiredKeys: ['uid'] });

const federationStatus = fc.record({ phase: maybe(statusWord), reason: maybe(fc.string()), startTime: maybe(anyTime), completionTime: maybe(anyTime) }, { requiredKeys: [] });
const federationSubJob = fc.record(
  { metadata: maybe(meta), spec: maybe(fc.record({ type: maybe(fc.string()), extendparam: extend, extendParam: extend }, { requiredKeys: [] })), status: maybe(federationStatus) },
  { requiredKeys: [] },
);
const federationBody = fc.record(
  {
    metadata: jobMeta,
    apiVersion: fc.jsonValue(),
    spec: maybe(fc.record({ type: maybe(fc.string()), extendparam: extend, extendParam: extend, subJobs: maybe(fc.array(federationSubJob, { maxLength: 5 })) }, { requiredKeys: [] })),
    status: maybe(federationStatus),
  },
  { requiredKeys: ['metadata'] },
);

const policyStatus = fc.record({ status: maybe(statusWord), reason: maybe(fc.string()), startTime: maybe(anyTime), finishTime: maybe(anyTime) }, { requiredKeys: [] });
const policyTask = fc.record(
  {
    metadata: maybe(meta),
    spec: maybe(fc.record({ target: maybe(fc.string()), targetType: maybe(fc.constantFrom('cluster', 'Cluster', 'namespace', '')), type: maybe(fc.string()) }, { requiredKeys: [] })),
    status: maybe(policyStatus),
  },
  { requiredKeys: [] },
);
const policyBody = fc.record(
  {
    metadata: jobMeta,
    spec: maybe(
      fc.record(
        {
          type: maybe(fc.string()),
          waitTimeOut: maybe(fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.nat().map(String), fc.constant('9'.repeat(400)))),
          relatedObjects: maybe(fc.dictionary(fc.constantFrom('fleetID', 'clustergroup', 'other'), fc.oneof(fc.string(), fc.integer()))),
          extendParam: extend,
          taskList: maybe(fc.array(policyTask, { maxLength: 5 })),
        },
        { requiredKeys: [] },
      ),
    ),
    status: maybe(policyStatus),
  },
  { requiredKeys: ['metadata'] },
);

/** The record invariants every normalization must keep, whatever the input. */
function expectWellFormed(record: JobRecord): void {
  checked(record);
  for (const d of [record.durationMs, ...record.steps.map((s) => s.durationMs)]) {
    if (d !== undefined) expect(d).toBeGreaterThanOrEqual(0);
  }
  expect(new Set(record.steps.map((s) => s.stepId)).size).toBe(record.steps.length);
  expect(record.anomalies === undefined || record.anomalies.length > 0).toBe(true);
}

describe('properties', () => {
  it('federation: any schema-valid body normalizes without throwing into a valid record; durations are absent or ≥ 0', () => {
    fc.assert(
      fc.property(federationBody, fc.string({ minLength: 1 }), (body, fleetId) => {
        warn.mockClear();
        const job = FederationJob.parse(body); // the generator only makes schema-valid bodies
        const record = normalizeFederationJob(job, { fleetId, observedAt: OBSERVED });
        expectWellFormed(record);
        expect(record.steps).toHaveLength(job.spec?.subJobs?.length ?? 0);
        expect(warn).toHaveBeenCalledTimes(record.anomalies ? 1 : 0);
      }),
      { numRuns: 300 },
    );
  });

  it('policy: any schema-valid body normalizes without throwing into a valid record; durations are absent or ≥ 0', () => {
    fc.assert(
      fc.property(policyBody, fc.option(fc.string({ minLength: 1 }), { nil: undefined }), (body, fleetId) => {
        warn.mockClear();
        const job = PolicyJob.parse(body);
        const record = normalizePolicyJob(job, fleetId === undefined ? { observedAt: OBSERVED } : { observedAt: OBSERVED, fleetId });
        expectWellFormed(record);
        expect(record.steps).toHaveLength(job.spec?.taskList?.length ?? 0);
        expect(warn).toHaveBeenCalledTimes(record.anomalies ? 1 : 0);
      }),
      { numRuns: 300 },
    );
  });
});
