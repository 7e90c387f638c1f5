import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The local cursor key: random, kept in `<dataDir>/cursor-key` (owner-only) so cursors survive a restart of
 * `npm start` as they survive a deploy; a new random one per run without a data dir (`--in-memory`).
 */
export function localCursorKey(dataDir: string | undefined): string {
  const fresh = () => randomBytes(32).toString('base64url');
  if (dataDir === undefined) return fresh();
  const path = join(dataDir, 'cursor-key');
  try {
    const saved = readFileSync(path, 'utf8').trim();
    if (saved.length >= 32) return saved;
  } catch {
    // First start: no key yet.
  }
  mkdirSync(dataDir, { recursive: true });
  const key = fresh();
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  return key;
}
