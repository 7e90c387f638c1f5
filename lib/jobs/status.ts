import type { CanonicalStatus } from './record';

// DESIGN.md "Canonical status". UCS documents only the policy job statuses; federation phases and task
// statuses are opaque strings, so anything not listed is `unknown` (the raw value is kept on the record).
const RAW_TO_CANONICAL: ReadonlyMap<string, CanonicalStatus> = new Map(
  (
    [
      ['succeeded', ['Succeeded', 'Success', 'Successful', 'Completed', 'Complete', 'Done']],
      ['failed', ['Failed', 'Failure', 'Error', 'Errored']],
      ['timed_out', ['TimedOut', 'Timeout']],
      ['running', ['Running', 'Processing', 'InProgress', 'Executing', 'Installing', 'Deleting', 'Upgrading']],
      ['pending', ['Pending', 'Waiting', 'Init', 'Initializing', 'Created', 'Queued']],
    ] as const
  ).flatMap(([canonical, raws]) => raws.map((raw) => [raw.toLowerCase(), canonical] as const)),
);

/** Maps a raw UCS status/phase to its canonical status: case-insensitive, trimmed; missing or unlisted → `unknown`. */
export function canonicalStatus(raw: string | null | undefined): CanonicalStatus {
  if (raw === null || raw === undefined) return 'unknown';
  return RAW_TO_CANONICAL.get(raw.trim().toLowerCase()) ?? 'unknown';
}
