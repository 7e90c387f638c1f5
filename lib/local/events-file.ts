import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where local mode's events go (DESIGN.md "Events"): `<LOCAL_DATA_DIR>/events.jsonl`, one JSON line per event in
 * EventBridge's envelope; with `--in-memory` (no data dir) a file in a fresh temporary directory, so a throwaway
 * run leaves nothing in the project.
 */
export function localEventsFile(dataDir: string | undefined): string {
  return join(dataDir ?? mkdtempSync(join(tmpdir(), 'ucs-job-history-events-')), 'events.jsonl');
}
