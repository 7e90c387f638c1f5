import Ajv2020 from 'ajv/dist/2020';
import { expect } from 'vitest';
import { DEFAULT_SCHEDULE } from '../../../lib/collect/schedule';
import { normalizeFederationJob, normalizePolicyJob } from '../../../lib/jobs/normalize';
import type { GroundTruthRun } from '../../../lib/local/simulator/scenario';
import type { DynamoDbJobStore } from '../../../lib/store/dynamodb-store';
import { FederationJob, parseUcsResponse, PolicyJob } from '../../../lib/ucs/schemas';
import type { createWorld } from './harness';
import { mapConcurrently } from '../../../lib/concurrency';
import { parseInstantMicros } from '../../../lib/jobs/time';
import type { TerminalRun } from '../../../lib/jobs/runs';

/**
 * Data for the API integration tests: the simulator's world collected into DynamoDB Local through the real
 * collector (or, for data sets too big to poll, through the store's real write path), its ground truth as
 * the statistics oracle takes it, and a JSON Schema validator over the served OpenAPI document.
 */

export type World = Awaited<ReturnType<typeof createWorld>>;

/** The simulator's ground truth as terminal runs (a run belongs to its `finishedAt`, which the simulator always sets). */
export function groundTruth(world: World, until: Date): TerminalRun[] {
  return world.sim.scenario.terminalRuns(until).map((r: GroundTruthRun) => ({ ...r, belongsAt: r.finishedAt }));
}

/** What identifies a run and what every statistic reads from it: compared between the store and the truth. */
export function runFacts(run: TerminalRun) {
  const { level, source, jobId, attempt, stepId, type, jobType, status, fleetId, clusterId, durationMs, belongsAt } = run;
  return { level, source, jobId, attempt, stepId, type, jobType, status, fleetId, clusterId, durationMs, belongsAt };
}

const factsKey = (r: TerminalRun) => `${r.level}|${r.source}|${r.jobId}|${r.attempt}|${r.stepId ?? ''}`;
const sortFacts = (runs: readonly TerminalRun[]) =>
  [...runs].sort((a, b) => factsKey(a).localeCompare(factsKey(b))).map(runFacts);

/** Asserts the store counted exactly the simulator's terminal runs (same set, same durations, same groups). */
export async function expectStoreMatchesTruth(store: DynamoDbJobStore, truth: readonly TerminalRun[], range: { from: string; to: string }) {
  const stored = [...(await store.readRuns('job', range.from, range.to)), ...(await store.readRuns('step', range.from, range.to))];
  expect(stored.length).toBe(truth.length);
  expect(sortFacts(stored)).toEqual(sortFacts(truth));
}

/**
 * Collects the world every `stepMs` until `until`. Healthy targets are polled on every run (pollIntervalSec =
 * the step), and terminal policy jobs are re-checked from one step on with doubling delays, so retries are
 * seen without polling every finished job on every step (which makes a long scenario quadratic).
 */
export async function collectUntil(world: World, until: Date, stepMs: number): Promise<number> {
  const schedule = { ...DEFAULT_SCHEDULE, pollIntervalSec: stepMs / 1000, terminalFirstRecheckSec: stepMs / 1000 };
  let passes = 0;
  for (;;) {
    const summaries = await world.collectAll({ schedule });
    passes += 1;
    expect(summaries.reduce((n, s) => n + s.failed, 0), 'failed polls').toBe(0);
    if (world.clock.now().getTime() >= until.getTime()) return passes;
    world.clock.advance(Math.min(stepMs, until.getTime() - world.clock.now().getTime()));
  }
}

/**
 * Writes the world up to `until` through the store's real write path (`recordObservation` of normalized
 * simulator bodies), without HTTP polling: each job is observed at the end of each of its attempts and once
 * more at `until`, which shows every terminal run the ground truth has. For data sets of thousands of runs.
 * `include` picks the jobs to write (to write a world in parts).
 */
export async function recordWorldDirectly(
  world: World,
  store: DynamoDbJobStore,
  until: Date,
  options: { concurrency?: number; include?: (jobId: string) => boolean } = {},
): Promise<void> {
  const { concurrency = 16, include = () => true } = options;
  const scenario = world.sim.scenario;
  const truth = scenario.terminalRuns(until).filter((r) => r.level === 'job');
  const endsOf = new Map<string, string[]>();
  for (const run of truth) endsOf.set(run.jobId, [...(endsOf.get(run.jobId) ?? []), run.finishedAt]);
  const untilIso = until.toISOString();

  const fleetTimes = new Map<string, Set<string>>();
  for (const run of truth.filter((r) => r.source === 'federation')) {
    fleetTimes.set(run.fleetId!, (fleetTimes.get(run.fleetId!) ?? new Set()).add(run.finishedAt));
  }
  for (const fleetId of scenario.fleetIds(until)) fleetTimes.set(fleetId, (fleetTimes.get(fleetId) ?? new Set()).add(untilIso));

  const observeAt = (at: string) => new Date(Math.floor((parseInstantMicros(at) ?? 0) / 1000));
  await mapConcurrently([...fleetTimes.entries()], concurrency, async ([fleetId, times]) => {
    for (const at of [...times].sort()) {
      const body = scenario.federationJobAt(fleetId, observeAt(at)) as { metadata?: { uid?: string } } | undefined;
      if (!body || !include(String(body.metadata?.uid))) continue;
      await store.recordObservation(normalizeFederationJob(parseUcsResponse(FederationJob, body, 'test'), { fleetId, observedAt: at }));
    }
  });
  await mapConcurrently(scenario.policyJobIds(until).filter(include), concurrency, async (jobId) => {
    for (const at of [...(endsOf.get(jobId) ?? []), untilIso]) {
      const body = scenario.policyJobAt(jobId, observeAt(at));
      if (!body) continue;
      await store.recordObservation(normalizePolicyJob(parseUcsResponse(PolicyJob, body, 'test'), { observedAt: at }));
    }
  });
}

type JsonObject = Record<string, unknown>;

/**
 * Validates response bodies against the served OpenAPI 3.1 document (its schemas are JSON Schema 2020-12),
 * with Ajv. `date-time` strings are checked with the service's own instant parser.
 */
export function openApiValidator(document: JsonObject) {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addFormat('date-time', (text: string) => parseInstantMicros(text) !== undefined);
  // zod writes `startsWith` as a `pattern` plus this informational format; the pattern does the checking.
  ajv.addFormat('starts_with', true);
  const components = (document.components ?? {}) as { schemas?: Record<string, JsonObject> };
  const responseSchema = (path: string, method: string, status: number): JsonObject => {
    const paths = document.paths as Record<string, Record<string, { responses: Record<string, JsonObject> }>>;
    const response = paths[path]?.[method]?.responses[String(status)] as { content?: Record<string, { schema?: JsonObject }> } | undefined;
    const schema = response?.content?.['application/json']?.schema;
    if (!schema) throw new Error(`no ${status} response schema for ${method.toUpperCase()} ${path} in the document`);
    // Error responses point at components; inline them so each schema stands alone.
    const ref = schema.$ref;
    if (typeof ref === 'string') {
      const name = ref.replace('#/components/schemas/', '');
      const target = components.schemas?.[name];
      if (!target) throw new Error(`dangling ${ref}`);
      return target;
    }
    return schema;
  };
  const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
  return {
    /** Asserts `body` validates against the document's schema of that response. */
    expectValid(path: string, method: string, status: number, body: unknown): void {
      const id = `${method} ${path} ${status}`;
      let validate = compiled.get(id);
      if (!validate) {
        validate = ajv.compile(responseSchema(path, method, status));
        compiled.set(id, validate);
      }
      const ok = validate(body);
      expect(ok ? [] : validate.errors, `${id} against the OpenAPI document`).toEqual([]);
    },
    /** The validator of one response, for checking that it rejects malformed bodies. */
    validator(path: string, method: string, status: number) {
      return ajv.compile(responseSchema(path, method, status));
    },
  };
}
