import * as z from 'zod';

/** A target kind: a fleet (its federation-enabling job is polled) or one policy job. */
export const TargetKind = z.enum(['fleet', 'policy-job']);
export type TargetKind = z.infer<typeof TargetKind>;

/** A watched fleet or policy job, with the collector's bookkeeping. */
export const Target = z.object({
  kind: TargetKind,
  id: z.string(),
  state: z.enum(['active', 'retired']),
  addedAt: z.string(),
  addedBy: z.enum(['discovery', 'api', 'config']),
  /** Last poll that wrote anything (a change, an error, a schedule change): steady polls write nothing. */
  lastPolledAt: z.string().optional(),
  lastChangedAt: z.string().optional(),
  /** The state fingerprint of the last poll: an identical poll reads and writes nothing. Internal. */
  lastFingerprint: z.string().optional(),
  lastError: z.string().optional(),
  consecutiveFailures: z.number().int().nonnegative(),
  nextPollAt: z.string(),
  /** Policy jobs: when the job was first seen terminal (re-checked with backoff for 24 h, then retired). */
  terminalSince: z.string().optional(),
  retiredAt: z.string().optional(),
  retiredReason: z.string().optional(),
  /** The attempt the last stored state belongs to (a steady poll does not read the job). Internal. */
  lastAttempt: z.number().int().optional(),
  /** The overdue facts already told (`<attempt>:job`, `<attempt>:step:<id>`), of the last attempt only. Internal. */
  overdueTold: z.array(z.string()).optional(),
});
export type Target = z.infer<typeof Target>;
