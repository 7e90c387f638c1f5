// Fleets and their federation jobs, planned from the seed: one PRNG stream per fleet and per job, so a
// job's plan depends only on (seed, fleet index, job number), never on who asked first or when.
import { rngFor } from './prng';
import { FEDERATION_TYPES, MS, S, secToUs, tick, type FederationPlan, type FederationSubPlan, type Fleet } from './plan';

/** Plans fleet number `index` (its clusters and ids), created at `createdUs`; its jobs come later. */
export function planFleet(seed: number, index: number, createdUs: number): Fleet {
  const rng = rngFor(seed, 'fleet', index);
  const clusterIds = Array.from({ length: rng.int(2, 5) }, () => rng.uuid());
  return {
    index,
    uid: rng.uuid(),
    name: `fleet-${index + 1}-${rng.hex(4)}`,
    federationUid: rng.uuid(),
    clusterIds,
    createdUs,
    jobs: [],
  };
}

/** Plans federation job `k` of `fleet`, created at `createdUs`. */
export function planFederationJob(seed: number, fleet: Fleet, k: number, createdUs: number): FederationPlan {
  const rng = rngFor(seed, 'federation', fleet.index, k);
  const type = k === 0 ? 'CreateFederation' : rng.weighted(FEDERATION_TYPES, [60, 15, 15, 10]);
  const startUs = createdUs + tick(rng, 10);
  const sub = (type: string, order: number): FederationSubPlan => ({ uid: rng.uuid(), type, createdUs: createdUs + (5 + order * 5) * MS + rng.int(0, 999) });
  // Order as in the seed page; the node → cert → chart chain runs beside the network resource.
  const chart = sub('InstallFederationChart', 3);
  const network = sub('CreateNetworkResource', 2);
  const cert = sub('CreateCert', 1);
  const node = sub('CreateNode', 0);
  network.extend = { extendParam: { JobExtendParamKeyElbID: rng.uuid() } };
  node.extend = { extendparam: `{"nodeCount":"${rng.int(1, 3)}"}` };
  const failing = rng.next() < 0.12 ? rng.pick([chart, network, cert, node]) : undefined;

  const runStep = (step: FederationSubPlan, at: number, durUs: number): void => {
    step.startUs = at;
    step.endUs = at + durUs;
    if (step === failing) {
      step.status = 'Failed';
      step.reason = `${step.type} failed: ${rng.pick(['context deadline exceeded', 'quota exceeded', 'resource conflict', 'connection refused'])}`;
    } else step.status = 'Success';
  };
  runStep(network, startUs + tick(rng, 25), secToUs(rng.logNormal(60, 0.4), 1 * S));
  runStep(node, startUs + tick(rng, 25), secToUs(rng.logNormal(1.5, 0.6), 10 * MS));
  if (node.status === 'Success' && node.endUs !== undefined) {
    // A zero-length step (start = finish) is real: see CreateCert in the seed page.
    runStep(cert, node.endUs + tick(rng, 8), rng.next() < 0.5 ? 0 : secToUs(rng.logNormal(0.3, 0.5)));
    if (cert.status === 'Success' && cert.endUs !== undefined) {
      runStep(chart, cert.endUs + tick(rng, 8), rng.next() < 0.5 ? 0 : secToUs(rng.logNormal(10, 0.7)));
    }
  }
  const subJobs = [chart, network, cert, node];
  const endUs = Math.max(...subJobs.map((s) => s.endUs ?? 0)) + tick(rng, 10);
  return {
    uid: rng.uuid(),
    type,
    createdUs,
    startUs,
    endUs,
    phase: failing ? 'Failed' : 'Success',
    reason: failing ? `sub job ${failing.type} failed` : undefined,
    subJobs,
  };
}

/**
 * Makes sure `fleet.jobs` holds every job created up to `tUs` plus the next one (jobs are planned lazily,
 * since a fleet's jobs never end). `startUs` is the scenario's start, which the first job straddles.
 */
export function extendFederation(seed: number, startUs: number, fleet: Fleet, tUs: number): void {
  if (fleet.jobs.length === 0) {
    // The first job starts just before the fleet is seen, so a fresh simulator shows a running job.
    const firstUs = Math.max(fleet.createdUs, startUs - rngFor(seed, 'first-federation', fleet.index).int(1 * S, 60 * S));
    fleet.jobs.push(planFederationJob(seed, fleet, 0, firstUs));
  }
  for (;;) {
    const last = fleet.jobs[fleet.jobs.length - 1] as FederationPlan;
    if (last.createdUs > tUs) return;
    const gapUs = secToUs(rngFor(seed, 'federation-gap', fleet.index, fleet.jobs.length).logNormal(20 * 60, 0.8), 30 * S);
    fleet.jobs.push(planFederationJob(seed, fleet, fleet.jobs.length, last.endUs + gapUs));
  }
}
