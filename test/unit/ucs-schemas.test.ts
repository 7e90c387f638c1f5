import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidResponseError } from '../../lib/ucs/errors';
import {
  ClusterGroupList,
  FederationJob,
  PolicyJob,
  PolicyJobList,
  formatIssuePath,
  parseUcsResponse,
} from '../../lib/ucs/schemas';

// Untyped on purpose: tests mutate the raw bodies into invalid shapes.
// eslint-disable-next-line @typescript-eslint/no-unsafe-return
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/ucs/${name}`, import.meta.url), 'utf8'));

/** Runs `fn`, which must throw an InvalidResponseError, and returns it. */
function invalid(fn: () => unknown): InvalidResponseError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidResponseError);
    return err as InvalidResponseError;
  }
  throw new Error('expected an InvalidResponseError');
}

describe('FederationJob', () => {
  it('parses the seed response, keeping the fields normalization reads', () => {
    const job = parseUcsResponse(FederationJob, fixture('federation-progress.seed.json'), 'getFederationProgress');
    expect(job.metadata.uid).toBe('70b5a14f-2fa4-11ee-bf07-0255ac1000b9');
    expect(job.spec?.subJobs?.map((s) => s.spec?.type)).toEqual([
      'InstallFederationChart',
      'CreateNetworkResource',
      'CreateCert',
      'CreateNode',
    ]);
    expect(job.spec?.subJobs?.[1]?.spec?.extendParam).toEqual({
      JobExtendParamKeyElbID: '69694819-67dc-44ac-ab6e-9b18087c5c4c',
    });
    expect(job.status?.completionTime).toBe('2023-07-31 13:17:24.497868 +0000 UTC');
  });

  it('names metadata.uid when the job has none', () => {
    const body = fixture('federation-progress.seed.json');
    delete body.metadata.uid;
    const err = invalid(() => parseUcsResponse(FederationJob, body, 'GET progress'));
    expect(err.path).toBe('metadata.uid');
    expect(err.message).toMatch(/^metadata\.uid: expected string/);
    expect(err.operation).toBe('GET progress');
  });

  it('rejects an empty job uid', () => {
    const body = fixture('federation-progress.seed.json');
    body.metadata.uid = '';
    expect(invalid(() => parseUcsResponse(FederationJob, body, 'op')).path).toBe('metadata.uid');
  });

  it('names status when status is a string', () => {
    const body = fixture('federation-progress.seed.json');
    body.status = 'Success';
    const err = invalid(() => parseUcsResponse(FederationJob, body, 'op'));
    expect(err.path).toBe('status');
    expect(err.message).toMatch(/^status: expected object/);
  });

  it('names the sub-job path when a sub-job field has the wrong shape', () => {
    const body = fixture('federation-progress.seed.json');
    body.spec.subJobs[2].status = ['Success'];
    expect(invalid(() => parseUcsResponse(FederationJob, body, 'op')).path).toBe('spec.subJobs[2].status');
    const notArray = fixture('federation-progress.seed.json');
    notArray.spec.subJobs = { a: 1 };
    expect(invalid(() => parseUcsResponse(FederationJob, notArray, 'op')).path).toBe('spec.subJobs');
  });

  it('accepts sub-jobs without metadata.uid (the step id falls back later)', () => {
    const body = fixture('federation-progress.seed.json');
    delete body.spec.subJobs[0].metadata.uid;
    delete body.spec.subJobs[1].metadata;
    const job = parseUcsResponse(FederationJob, body, 'op');
    expect(job.spec?.subJobs?.[0]?.metadata?.uid).toBeUndefined();
    expect(job.spec?.subJobs?.[1]?.metadata).toBeUndefined();
  });

  it('accepts extendparam and extendParam each as a string or an object, and rejects anything else', () => {
    for (const value of ['{"a":1}', { a: 1 }, '', null]) {
      for (const key of ['extendparam', 'extendParam']) {
        const body = fixture('federation-progress.seed.json');
        body.spec[key] = value;
        body.spec.subJobs[0].spec[key] = value;
        expect(() => parseUcsResponse(FederationJob, body, 'op')).not.toThrow();
      }
    }
    const body = fixture('federation-progress.seed.json');
    body.spec.extendparam = 7;
    const err = invalid(() => parseUcsResponse(FederationJob, body, 'op'));
    expect(err.path).toBe('spec.extendparam');
    expect(err.message).toContain('expected a string or an object');
  });

  it('accepts any apiVersion and kind, and strips unknown fields', () => {
    for (const apiVersion of ['v1', 'v3', 'job.workflow.io/v1alpha1', 42, undefined]) {
      const body = { ...fixture('federation-progress.seed.json'), apiVersion, kind: 'Whatever', brandNew: { x: 1 } };
      const job = parseUcsResponse(FederationJob, body, 'op');
      expect(job).not.toHaveProperty('brandNew');
      expect(job).not.toHaveProperty('apiVersion');
    }
  });

  it('accepts null and missing optional fields, and leaves time strings unparsed', () => {
    const job = parseUcsResponse(
      FederationJob,
      { metadata: { uid: 'j', name: null }, spec: null, status: { phase: null, startTime: 'not a time' } },
      'op',
    );
    expect(job.status?.startTime).toBe('not a time');
    expect(parseUcsResponse(FederationJob, { metadata: { uid: 'j' } }, 'op').status).toBeUndefined();
  });

  it('names the root when the body is not an object', () => {
    for (const body of ['<html>', null, [1, 2]]) {
      expect(invalid(() => parseUcsResponse(FederationJob, body, 'op')).path).toBe('<root>');
    }
  });
});

describe('PolicyJob', () => {
  it('parses the seed response', () => {
    const job = parseUcsResponse(PolicyJob, fixture('policy-job.seed.json'), 'getPolicyJob');
    expect(job.metadata.uid).toBe('c7678551-1f7e-4699-9ea1-3baa2d32f552');
    expect(job.spec?.taskList?.[0]?.spec?.targetType).toBe('cluster');
    expect(job.spec?.waitTimeOut).toBe(3600);
    expect(job.status?.finishTime).toBe('2025-11-10T15:24:08.524767+08:00');
  });

  it('names spec.taskList[0].metadata.uid when a task uid is not a string', () => {
    const body = fixture('policy-job.seed.json');
    body.spec.taskList[0].metadata.uid = 12;
    const err = invalid(() => parseUcsResponse(PolicyJob, body, 'op'));
    expect(err.path).toBe('spec.taskList[0].metadata.uid');
    expect(err.message).toMatch(/^spec\.taskList\[0\]\.metadata\.uid: expected string/);
  });

  it('accepts a task without metadata.uid and an empty taskList', () => {
    const body = fixture('policy-job.seed.json');
    delete body.spec.taskList[0].metadata.uid;
    expect(parseUcsResponse(PolicyJob, body, 'op').spec?.taskList?.[0]?.metadata?.name).toBe(
      'be72df63-7dfa-426d-acc9-6c426c4e979c',
    );
    body.spec.taskList = [];
    expect(parseUcsResponse(PolicyJob, body, 'op').spec?.taskList).toEqual([]);
  });

  it('names status when status is a string', () => {
    const body = fixture('policy-job.seed.json');
    body.status = 'Succeeded';
    expect(invalid(() => parseUcsResponse(PolicyJob, body, 'op')).path).toBe('status');
  });

  it('reads waitTimeOut as a number or numeric string, and names it otherwise', () => {
    const body = fixture('policy-job.seed.json');
    body.spec.waitTimeOut = ' 600 ';
    expect(parseUcsResponse(PolicyJob, body, 'op').spec?.waitTimeOut).toBe(600);
    body.spec.waitTimeOut = 'soon';
    const err = invalid(() => parseUcsResponse(PolicyJob, body, 'op'));
    expect(err.path).toBe('spec.waitTimeOut');
    expect(err.message).toContain('expected a number or a numeric string');
  });

  it('accepts extendParam as a string or an object, relatedObjects as a map, and rejects a string map', () => {
    const body = fixture('policy-job.seed.json');
    body.spec.extendParam = 'plain text';
    body.spec.extendparam = { nested: { deep: true } };
    body.spec.relatedObjects = { clusterGroupID: 'fleet-1', count: 2 };
    expect(parseUcsResponse(PolicyJob, body, 'op').spec?.relatedObjects).toEqual({ clusterGroupID: 'fleet-1', count: 2 });
    body.spec.relatedObjects = 'fleet-1';
    expect(invalid(() => parseUcsResponse(PolicyJob, body, 'op')).path).toBe('spec.relatedObjects');
  });

  it('reports how many further issues there were', () => {
    const err = invalid(() => parseUcsResponse(PolicyJob, { metadata: {}, status: 'x', spec: 'y' }, 'op'));
    expect(err.message).toMatch(/\(and 2 more issues\)$/);
  });
});

describe('discovery lists', () => {
  it('reads fleet ids and total, and an absent or null items list as empty', () => {
    const page = parseUcsResponse(
      ClusterGroupList,
      { items: [{ metadata: { uid: 'f1', name: 'one' } }, { metadata: { uid: 'f2' }, spec: {} }], total: 5 },
      'listFleets',
    );
    expect(page.items.map((i) => i.metadata.uid)).toEqual(['f1', 'f2']);
    expect(page.total).toBe(5);
    expect(parseUcsResponse(ClusterGroupList, {}, 'op').items).toEqual([]);
    expect(parseUcsResponse(ClusterGroupList, { items: null }, 'op').items).toEqual([]);
  });

  it('names the item whose uid is missing', () => {
    const err = invalid(() => parseUcsResponse(ClusterGroupList, { items: [{ metadata: { uid: 'a' } }, { metadata: {} }] }, 'op'));
    expect(err.path).toBe('items[1].metadata.uid');
    expect(invalid(() => parseUcsResponse(ClusterGroupList, { items: {} }, 'op')).path).toBe('items');
  });

  it('reads policy job ids from a list that carries full jobs', () => {
    const seed = fixture('policy-job.seed.json');
    const list = parseUcsResponse(PolicyJobList, { items: [seed, { metadata: { uid: 'j2' } }] }, 'listPolicyJobs');
    expect(list.items.map((i) => i.metadata.uid)).toEqual(['c7678551-1f7e-4699-9ea1-3baa2d32f552', 'j2']);
    expect(list.items[0]?.status?.status).toBe('Succeeded');
    expect(invalid(() => parseUcsResponse(PolicyJobList, { items: [{ metadata: { uid: '' } }] }, 'op')).path).toBe(
      'items[0].metadata.uid',
    );
  });
});

describe('formatIssuePath', () => {
  it('joins keys with dots and indexes with brackets', () => {
    expect(formatIssuePath(['spec', 'taskList', 3, 'metadata', 'uid'])).toBe('spec.taskList[3].metadata.uid');
    expect(formatIssuePath([0, 'a'])).toBe('[0].a');
    expect(formatIssuePath([])).toBe('<root>');
  });
});
