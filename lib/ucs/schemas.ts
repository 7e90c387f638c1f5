import * as z from 'zod';
import { InvalidResponseError, type UcsErrorInfo } from './errors';

// Schemas of the UCS responses the collectors read (see ../shared/seeds/).
// Lenient where Huawei's own docs contradict themselves (extendparam vs extendParam, string vs object,
// apiVersion "v1" vs "v3"), strict where the data would otherwise be meaningless (a job without a uid,
// a `status` that is not an object). Unknown keys are stripped (zod's default), so new UCS fields never
// break a poll. `kind` and `apiVersion` are not declared at all: nothing depends on them.
// Times stay strings here; lib/jobs/time.ts parses them, so one bad time never rejects a whole job.

/** An optional string UCS may also send as `null`. */
const NullableString = z.string().nullish();

/** `extendparam`/`extendParam`: documented as a string, shown as an object. Both accepted, never used. */
const ExtendParam = z
  .union([z.string(), z.record(z.string(), z.unknown())], { error: 'expected a string or an object' })
  .nullish();

/** A number of seconds, documented as Integer but accepted as a numeric string too (`"3600"`). */
const Seconds = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^\s*-?\d+(\.\d+)?\s*$/, 'expected a number or a numeric string')
      .transform(Number),
  ], { error: 'expected a number or a numeric string' })
  .nullish();

/** Kubernetes-style ObjectMeta, the fields we read. `uid` is optional here (steps may lack one). */
const ObjectMeta = z.object({
  uid: NullableString,
  name: NullableString,
  creationTimestamp: NullableString,
  updateTimestamp: NullableString,
});

/** The metadata of a top-level job: without a uid there is nothing to key its history on. */
const JobMeta = ObjectMeta.extend({ uid: z.string().min(1, 'expected a non-empty string') });

/** Federation `JobStatus`. */
const FederationJobStatus = z.object({
  phase: NullableString,
  reason: NullableString,
  startTime: NullableString,
  completionTime: NullableString,
});

/** Federation `JobSpec` without sub-jobs (shared by the job and its sub-jobs). */
const FederationJobSpecBase = z.object({
  type: NullableString,
  federationUID: NullableString,
  resourceID: NullableString,
  resourceName: NullableString,
  extendparam: ExtendParam,
  extendParam: ExtendParam,
});

/**
 * A federation sub-job: itself a `Job`, but its own `subJobs` (never seen) are not read, so they are
 * stripped rather than validated.
 */
export const FederationSubJob = z.object({
  metadata: ObjectMeta.nullish(),
  spec: FederationJobSpecBase.nullish(),
  status: FederationJobStatus.nullish(),
});
export type FederationSubJob = z.infer<typeof FederationSubJob>;

/** `GET /v1/clustergroups/{id}/federations/progress`: the federation-enabling job of one fleet. */
export const FederationJob = z.object({
  metadata: JobMeta,
  spec: FederationJobSpecBase.extend({ subJobs: z.array(FederationSubJob).nullish() }).nullish(),
  status: FederationJobStatus.nullish(),
});
export type FederationJob = z.infer<typeof FederationJob>;

/** Policy `UCSTaskStatus` and `UCSJobStatus` (same shape). */
const PolicyStatus = z.object({
  status: NullableString,
  reason: NullableString,
  startTime: NullableString,
  finishTime: NullableString,
});

/** Policy `UCSTaskSpec`, the fields we read. */
const PolicyTaskSpec = z.object({
  jobID: NullableString,
  target: NullableString,
  targetType: NullableString,
  type: NullableString,
  runway: NullableString,
  // Read leniently: a task with an odd timeout is still a task (normalization keeps a usable number only).
  waitTimeOut: z.unknown().optional(),
});

/** One task of a policy job (one per target, usually a cluster). */
export const PolicyTask = z.object({
  metadata: ObjectMeta.nullish(),
  spec: PolicyTaskSpec.nullish(),
  status: PolicyStatus.nullish(),
});
export type PolicyTask = z.infer<typeof PolicyTask>;

/** `GET /v1/policy/jobs/{jobid}`: one policy job with its tasks. */
export const PolicyJob = z.object({
  metadata: JobMeta,
  spec: z
    .object({
      taskList: z.array(PolicyTask).nullish(),
      domainID: NullableString,
      operation: NullableString,
      waitTimeOut: Seconds,
      type: NullableString,
      // Documented Map<String,String>; values are kept unknown so a non-string value does not reject the job.
      relatedObjects: z.record(z.string(), z.unknown()).nullish(),
      extendparam: ExtendParam,
      extendParam: ExtendParam,
    })
    .nullish(),
  status: PolicyStatus.nullish(),
});
export type PolicyJob = z.infer<typeof PolicyJob>;

/** A list UCS may send as `null` or leave out when empty; either way it reads as `[]`. */
function listOf<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .nullish()
    .transform((items) => items ?? []);
}

/** `GET /v1/clustergroups?limit&offset`: one page of fleets. */
export const ClusterGroupList = z.object({
  items: listOf(z.object({ metadata: z.object({ uid: z.string().min(1), name: NullableString }) })),
  total: z.number().int().nonnegative().nullish(),
});
export type ClusterGroupList = z.infer<typeof ClusterGroupList>;

/**
 * `GET /v1/policy/jobs?kind=`: the policy jobs of one kind. Only what discovery needs is read (the
 * uid, and name/type/status for logs), so one odd item field never hides the other jobs.
 */
export const PolicyJobList = z.object({
  items: listOf(
    z.object({
      metadata: z.object({ uid: z.string().min(1), name: NullableString, creationTimestamp: NullableString }),
      spec: z.object({ type: NullableString }).nullish(),
      status: z.object({ status: NullableString }).nullish(),
    }),
  ),
});
export type PolicyJobList = z.infer<typeof PolicyJobList>;

/** `spec.taskList[0].metadata.uid` from a zod issue path (`<root>` for the body itself). */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '<root>' : out;
}

/**
 * Validates a UCS response body; throws `InvalidResponseError` whose message and `path` name the first
 * failing field, e.g. `spec.taskList[0].metadata.uid: expected string, received undefined`.
 */
export function parseUcsResponse<S extends z.ZodType>(schema: S, body: unknown, operation: string, info: UcsErrorInfo = {}): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const [first, ...rest] = result.error.issues;
  const path = formatIssuePath(first?.path ?? []);
  const detail = (first?.message ?? 'invalid').replace(/^Invalid input: /, '');
  const more = rest.length > 0 ? ` (and ${rest.length} more issue${rest.length > 1 ? 's' : ''})` : '';
  throw new InvalidResponseError(`${path}: ${detail}${more}`, { ...info, path, operation }, { cause: result.error });
}
