import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_LOCAL_AKSK,
  DEFAULT_LOCAL_IAM_USER,
  DEFAULT_LOCAL_TOKEN,
  ManualClock,
  startUcsSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../lib/local/simulator';
import { createUcsClient, UcsClientConfig } from '../../lib/ucs/client';
import { InvalidResponseError, NotFoundError, ThrottledError, UnauthorizedError, UpstreamError } from '../../lib/ucs/errors';
import { FederationJob, PolicyJob } from '../../lib/ucs/schemas';

// The real client against the real simulator over loopback HTTP: the paths the collectors take.

const sims: RunningSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function simulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const sim = await startUcsSimulator({ seed: 3, fleets: 5, policyJobsPerHour: 20, clock: new ManualClock(new Date('2025-11-10T06:00:00Z')), ...options });
  sims.push(sim);
  return sim;
}

function client(sim: RunningSimulator, env: Record<string, string>, overrides: Partial<UcsClientConfig> = {}) {
  return createUcsClient(UcsClientConfig.parse({ baseUrl: sim.url, timeoutMs: 1000, baseDelayMs: 5, maxDelayMs: 20, ...overrides }), { env });
}

const tokenEnv = { UCS_AUTH_TOKEN: DEFAULT_LOCAL_TOKEN };

describe('UcsClient against the UCS simulator', () => {
  it('reads a federation job and a policy job with each auth mode, bodies equal to the scenario', async () => {
    const sim = await simulator();
    (sim.clock as ManualClock).advance(30 * 60_000);
    const fleetId = sim.scenario.fleetIds()[0]!;
    const jobId = sim.scenario.policyJobIds(sim.clock.now())[0]!;
    const expectedFederation = FederationJob.parse(sim.scenario.federationJobAt(fleetId, sim.clock.now()));
    const expectedPolicy = PolicyJob.parse(sim.scenario.policyJobAt(jobId, sim.clock.now()));
    const modes = {
      token: tokenEnv,
      aksk: { UCS_ACCESS_KEY: DEFAULT_LOCAL_AKSK.accessKey, UCS_SECRET_KEY: DEFAULT_LOCAL_AKSK.secretKey, UCS_DOMAIN_ID: DEFAULT_LOCAL_AKSK.domainId },
      password: { UCS_USERNAME: DEFAULT_LOCAL_IAM_USER.username, UCS_PASSWORD: DEFAULT_LOCAL_IAM_USER.password, UCS_DOMAIN_NAME: DEFAULT_LOCAL_IAM_USER.domainName, UCS_IAM_ENDPOINT: sim.url },
    };
    for (const [mode, env] of Object.entries(modes)) {
      const ucs = client(sim, env);
      expect(await ucs.getFederationProgress(fleetId), mode).toEqual(expectedFederation);
      expect(await ucs.getPolicyJob(jobId), mode).toEqual(expectedPolicy);
    }
  });

  it('refreshes an IAM token once after it is revoked, and fails with Unauthorized on a bad token or a wrong secret key', async () => {
    const sim = await simulator();
    const fleetId = sim.scenario.fleetIds()[0]!;
    const ucs = client(sim, { UCS_USERNAME: DEFAULT_LOCAL_IAM_USER.username, UCS_PASSWORD: DEFAULT_LOCAL_IAM_USER.password, UCS_DOMAIN_NAME: DEFAULT_LOCAL_IAM_USER.domainName, UCS_IAM_ENDPOINT: sim.url });
    await ucs.getFederationProgress(fleetId);
    const issuedBefore = sim.stats().byStatus['201'] ?? 0;
    sim.revokeIamTokens();
    await expect(ucs.getFederationProgress(fleetId)).resolves.toBeDefined();
    expect(sim.stats().byStatus['201']).toBe(issuedBefore + 1); // exactly one new token

    await expect(client(sim, { UCS_AUTH_TOKEN: 'not-a-token' }).getFederationProgress(fleetId)).rejects.toBeInstanceOf(UnauthorizedError);
    const wrongSk = client(sim, { UCS_ACCESS_KEY: DEFAULT_LOCAL_AKSK.accessKey, UCS_SECRET_KEY: 'wrong', UCS_DOMAIN_ID: DEFAULT_LOCAL_AKSK.domainId });
    await expect(wrongSk.getFederationProgress(fleetId)).rejects.toMatchObject({ code: 'Unauthorized', status: 401, errorCode: 'UCS.00000001' });
  });

  it('retries 429 and 500 answers until one succeeds', async () => {
    const sim = await simulator({ faults: { throttleRate: 0.35, error500Rate: 0.35, seed: 8 } });
    const ucs = client(sim, tokenEnv, { maxAttempts: 10 });
    const ids = sim.scenario.fleetIds();
    for (const id of ids) await expect(ucs.getFederationProgress(id)).resolves.toMatchObject({ metadata: expect.any(Object) });
    const { byStatus } = sim.stats();
    expect((byStatus['429'] ?? 0) + (byStatus['500'] ?? 0)).toBeGreaterThan(0);
    expect(byStatus['200']).toBe(ids.length);
  });

  it('gives up within the caller deadline when UCS does not answer', async () => {
    const sim = await simulator({ faults: { timeoutRate: 1 } });
    const ucs = client(sim, tokenEnv, { maxAttempts: 10, timeoutMs: 400 });
    const started = Date.now();
    // Every request is held (timeoutRate 1), whatever the job: the first policy job may not have arrived yet.
    await expect(ucs.getPolicyJob('job-1', { deadline: started + 1000 })).rejects.toBeInstanceOf(UpstreamError);
    // Without the deadline, all 10 attempts of 400 ms would be made; with it, only those that start before it
    // (at most 3). Counted on the simulator's side, not timed, so a loaded machine cannot fail it.
    const held = sim.stats().byStatus.timeout ?? 0;
    expect(held).toBeGreaterThanOrEqual(1);
    expect(held).toBeLessThanOrEqual(3);
  });

  it('maps each failure to its typed error, with the UCS error code and request id', async () => {
    const sim = await simulator();
    const ucs = client(sim, tokenEnv, { maxAttempts: 2 });
    await expect(ucs.getPolicyJob('no-such-job')).rejects.toMatchObject({ code: 'NotFound', status: 404, errorCode: 'UCS.00000013', requestId: expect.any(String) });
    await expect(ucs.getPolicyJob('no-such-job')).rejects.toBeInstanceOf(NotFoundError);
    const id = sim.scenario.fleetIds()[0]!;
    sim.setFaults({ throttleRate: 1 });
    await expect(ucs.getFederationProgress(id)).rejects.toBeInstanceOf(ThrottledError);
    sim.setFaults({ error500Rate: 1 });
    await expect(ucs.getFederationProgress(id)).rejects.toMatchObject({ code: 'Upstream', status: 500 });
    sim.setFaults({ malformedRate: 1 });
    await expect(ucs.getFederationProgress(id)).rejects.toBeInstanceOf(InvalidResponseError);
    sim.setFaults({});
    await expect(ucs.getFederationProgress(id)).resolves.toBeDefined();
  });

  it('lists every fleet across pages and every policy job', async () => {
    // The server caps pages at 2 while the client asks for 100: `total` says when to stop.
    const sim = await simulator({ fleets: 7, pageSize: 2 });
    const ucs = client(sim, tokenEnv);
    expect((await ucs.listFleetIds()).sort()).toEqual([...sim.scenario.fleetIds()].sort());
    expect(sim.stats().requests).toBeGreaterThanOrEqual(4); // 7 fleets, 2 per page
    expect((await ucs.listPolicyJobIds()).sort()).toEqual([...sim.scenario.policyJobIds()].sort());
  });
});
