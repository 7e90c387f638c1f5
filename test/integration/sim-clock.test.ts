import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CatchUpClock } from '../../lib/local/sim-clock';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-23T12:00:00Z');

describe('CatchUpClock.forDataDir', () => {
  it('continues the saved timeline across restarts, also when the speed changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-clock-'));
    const first = CatchUpClock.forDataDir(dir, 60, 2 * HOUR, T0);
    expect(first.origin).toBe(T0 - 2 * HOUR);
    // A minute later at 60×, an hour of the backfill has passed.
    const second = CatchUpClock.forDataDir(dir, 60, 2 * HOUR, T0 + 60_000);
    expect(second.origin).toBe(T0 - HOUR);
    // Restarted slower: where the 60× clock stood (T0, 2 min behind now), not the first origin plus 2 min at 1×.
    const third = CatchUpClock.forDataDir(dir, 1, 2 * HOUR, T0 + 120_000);
    expect(third.origin).toBe(T0);
    expect(JSON.parse(readFileSync(join(dir, 'simulator-clock.json'), 'utf8'))).toEqual({ origin: T0, launchedAt: T0 + 120_000, speed: 1, scenarioStart: T0 - 2 * HOUR });
    // At 1× it keeps its 2 min lag; back at 60× it catches up and then stays at now.
    expect(CatchUpClock.forDataDir(dir, 60, 2 * HOUR, T0 + 10 * HOUR).origin).toBe(T0 + 10 * HOUR - 120_000);
    expect(CatchUpClock.forDataDir(dir, 60, 2 * HOUR, T0 + 11 * HOUR).origin).toBe(T0 + 11 * HOUR);
  });

  it('keeps the scenario\'s original start across restarts, so the simulator plans the same world', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-clock-'));
    const first = CatchUpClock.forDataDir(dir, 60, 2 * HOUR, T0);
    expect(first.scenarioStart).toBe(T0 - 2 * HOUR);
    for (const restartAt of [T0 + 60_000, T0 + 150_000, T0 + 5 * HOUR]) {
      const again = CatchUpClock.forDataDir(dir, 60, 2 * HOUR, restartAt);
      expect(again.scenarioStart).toBe(T0 - 2 * HOUR);
      expect(again.origin).toBeGreaterThan(again.scenarioStart);
    }
    // A file from before the start was saved: its last run planned the world from its own origin.
    writeFileSync(join(dir, 'simulator-clock.json'), JSON.stringify({ origin: T0 - HOUR, launchedAt: T0, speed: 60 }));
    expect(CatchUpClock.forDataDir(dir, 60, 2 * HOUR, T0 + 60_000).scenarioStart).toBe(T0 - HOUR);
    // In memory (no folder): the start is the origin.
    const fresh = CatchUpClock.forDataDir(undefined, 60, 2 * HOUR, T0);
    expect(fresh.scenarioStart).toBe(fresh.origin);
  });

  it('reads a file saved without a speed as having run at the configured speed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-clock-'));
    writeFileSync(join(dir, 'simulator-clock.json'), JSON.stringify({ origin: T0 - 2 * HOUR, launchedAt: T0 }));
    expect(CatchUpClock.forDataDir(dir, 10, 2 * HOUR, T0 + 60_000).origin).toBe(T0 - 2 * HOUR + 600_000);
  });

  it('starts afresh on an unreadable file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-clock-'));
    writeFileSync(join(dir, 'simulator-clock.json'), '{not json');
    expect(CatchUpClock.forDataDir(dir, 60, 2 * HOUR, T0).origin).toBe(T0 - 2 * HOUR);
  });
});
