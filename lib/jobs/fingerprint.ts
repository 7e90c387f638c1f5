import { createHash } from 'node:crypto';
import type { JobRecord } from './record';

// The store compares fingerprints to tell "changed" from "same" (a steady poll writes nothing).
// Left out: `observedAt` (when we looked, not what we saw) and `attempt` (assigned by the store from the
// job's history, so it is derived, not observed). Everything else counts, including `anomalies`.
// Arrays keep their order: steps are in UCS order, so a reorder by UCS is (rarely) one extra revision.

/** JSON with object keys sorted at every level; `undefined` members are dropped as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries);
  });
}

/** Hex SHA-256 of a record's observable state: everything but `observedAt` and `attempt`, key order ignored. */
export function fingerprint(record: JobRecord): string {
  const { observedAt: _observedAt, attempt: _attempt, ...observed } = record;
  return createHash('sha256').update(canonicalJson(observed)).digest('hex');
}
